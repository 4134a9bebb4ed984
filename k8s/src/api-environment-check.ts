// The API's environment as the chart renders it, judged by the API's own schema
// (@tristack/api/config, the module the API parses its environment with): a value the API would
// refuse at start stops synthesis, instead of every API pod crash-looping after `kubectl apply`.
// The message names the TRISTACK_* variable that put the value there.
import { type ApiVariable, type ConfigProblem, checkEnvironment } from '@tristack/api/config';
import { StackConfigError } from './config.ts';
import type { OverrideVariable } from './overrides.ts';

/**
 * The TRISTACK_* variables that can set each API variable, the one that wins first: CORS_ORIGINS
 * is the Ingress host's origin unless TRISTACK_CORS_ORIGINS gives it. Every other API variable
 * is the chart's own.
 */
export const API_VARIABLE_SOURCES: Partial<Record<ApiVariable, readonly OverrideVariable[]>> = {
  CORS_ORIGINS: ['TRISTACK_CORS_ORIGINS', 'TRISTACK_INGRESS_HOST'],
  LOG_LEVEL: ['TRISTACK_LOG_LEVEL'],
  MYSQL_HOST: ['TRISTACK_EXTERNAL_MYSQL_HOST'],
  MYSQL_PORT: ['TRISTACK_EXTERNAL_MYSQL_PORT'],
};

function explain(
  problem: ConfigProblem,
  environment: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string | undefined>>,
): string {
  const refusal = `the API would refuse ${problem.variable} (${problem.message})`;
  const source = API_VARIABLE_SOURCES[problem.variable]?.find(
    (name) => overrides[name] !== undefined,
  );
  if (source === undefined) {
    // No setting put the value there: the chart's own code or data is wrong, not the user's input.
    return `the chart itself sets ${problem.variable}="${environment[problem.variable]}" and ${refusal}: fix k8s/src`;
  }
  return `${source}="${overrides[source]}": ${refusal}`;
}

/**
 * Throws a StackConfigError naming every value of `environment` (the API's ConfigMap data) that
 * the API would refuse, each under the TRISTACK_* variable of `overrides` that set it.
 */
export function checkApiEnvironment(
  environment: Readonly<Record<string, string>>,
  overrides: Readonly<Record<string, string | undefined>>,
): void {
  const problems = checkEnvironment(environment);
  if (problems.length > 0) {
    throw new StackConfigError(
      problems.map((problem) => explain(problem, environment, overrides)).join('; '),
    );
  }
}
