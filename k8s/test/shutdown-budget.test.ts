// The API pod's shutdown budget (explained in k8s/src/api.ts): the preStop pause, the API's
// shutdown delay and its drain grace, plus a margin, must end before the kubelet's SIGKILL.
// Added up in every variant the tests build and in the rendered files skaffold deploys.
import { readFileSync } from 'node:fs';
import { SHUTDOWN_GRACE_MS } from '@tristack/api/config';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SHUTDOWN_MARGIN_SECONDS } from '../src/api.ts';
import { ENVIRONMENT_NAMES } from '../src/config.ts';
import { renderedFile } from '../src/render.ts';
import { copyOf, find, type Json, VARIANTS } from './fixtures.ts';
import type { K8sObject } from './invariants.ts';

const MS_PER_SECOND = 1000;

interface ShutdownBudget {
  pauseSeconds: number;
  delaySeconds: number;
  graceSeconds: number;
  marginSeconds: number;
  terminationGraceSeconds: number;
}

/** The parts of the budget as the objects set them. */
function shutdownBudget(objects: K8sObject[]): ShutdownBudget {
  const podSpec = (find(objects, 'Deployment', 'api') as Json).spec.template.spec;
  const [command, seconds] = podSpec.containers[0].lifecycle?.preStop?.exec?.command ?? [];
  const config = find(objects, 'ConfigMap', 'api-config') as { data: Record<string, string> };
  return {
    pauseSeconds: command === 'sleep' ? Number(seconds) : 0,
    delaySeconds: Number(config.data.SHUTDOWN_DELAY_MS) / MS_PER_SECOND,
    graceSeconds: SHUTDOWN_GRACE_MS / MS_PER_SECOND,
    marginSeconds: SHUTDOWN_MARGIN_SECONDS,
    terminationGraceSeconds: podSpec.terminationGracePeriodSeconds,
  };
}

/** Empty when the budget fits; otherwise one sentence with the sum. */
function budgetProblems(budget: ShutdownBudget): string[] {
  const { pauseSeconds, delaySeconds, graceSeconds, marginSeconds } = budget;
  const needed = pauseSeconds + delaySeconds + graceSeconds + marginSeconds;
  if (needed <= budget.terminationGraceSeconds) return [];
  return [
    `preStop ${pauseSeconds} s + SHUTDOWN_DELAY_MS ${delaySeconds} s + drain ${graceSeconds} s + ` +
      `margin ${marginSeconds} s = ${needed} s, over terminationGracePeriodSeconds ` +
      `${budget.terminationGraceSeconds} s`,
  ];
}

const RENDERED = Object.fromEntries(
  ENVIRONMENT_NAMES.map((environment) => [
    `rendered ${environment}`,
    parseAllDocuments(readFileSync(renderedFile(environment), 'utf8')).map(
      (document) => document.toJS() as K8sObject,
    ),
  ]),
);

describe.each(Object.entries({ ...VARIANTS, ...RENDERED }))(
  'the API pod in the %s output',
  (_name, objects) => {
    const budget = shutdownBudget(objects);

    it('pauses in preStop, then keeps serving for a shutdown delay, before the drain', () => {
      expect(budget.pauseSeconds).toBeGreaterThan(0);
      expect(budget.delaySeconds).toBeGreaterThan(0);
    });

    it('ends the pause, the delay, the drain and the margin before SIGKILL', () => {
      expect(budgetProblems(budget)).toEqual([]);
    });
  },
);

describe('the budget check', () => {
  it('notices a shutdown delay that no longer fits', () => {
    const objects = copyOf(VARIANTS.dev ?? []);
    const config = find(objects, 'ConfigMap', 'api-config') as { data: Record<string, string> };
    config.data.SHUTDOWN_DELAY_MS = '20000';
    expect(budgetProblems(shutdownBudget(objects)).join()).toMatch(
      /preStop 5 s \+ SHUTDOWN_DELAY_MS 20 s \+ drain 10 s \+ margin 5 s = 40 s, over terminationGracePeriodSeconds 30 s/,
    );
  });

  it('notices a grace period cut below the budget', () => {
    const objects = copyOf(VARIANTS.dev ?? []);
    (find(objects, 'Deployment', 'api') as Json).spec.template.spec.terminationGracePeriodSeconds =
      20;
    expect(budgetProblems(shutdownBudget(objects))).toHaveLength(1);
  });
});
