import { API_ENV_VARS } from '@tristack/api/config';
import { describe, expect, it } from 'vitest';
import { copyOf, find, type Json, VARIANTS } from './fixtures.ts';
import { containerEnvNames, type K8sObject } from './invariants.ts';

// Names the API reads that the manifests leave unset on purpose, and why.
const DELIBERATELY_UNSET: Record<string, string> = {
  MYSQL_PASSWORD:
    'the Secret is mounted as a file and MYSQL_PASSWORD_FILE points at it; the API refuses both at once',
};

function apiContainer(objects: K8sObject[]) {
  const deployment = find(objects, 'Deployment', 'api') as Json;
  return deployment.spec.template.spec.containers[0];
}

describe.each(Object.entries(VARIANTS))('the API container in the %s output', (_name, objects) => {
  it('gets exactly the environment variables the API reads', () => {
    const expected = API_ENV_VARS.filter((name) => !(name in DELIBERATELY_UNSET)).sort();
    expect(containerEnvNames(apiContainer(objects), objects)).toEqual(expected);
  });

  it('reads the password from the mounted Secret file, never from the environment', () => {
    const container = apiContainer(objects);
    const configMap = find(objects, 'ConfigMap', 'api-config') as { data: Record<string, string> };
    const passwordFile = configMap.data.MYSQL_PASSWORD_FILE ?? '';
    const mount = container.volumeMounts.find((candidate: { mountPath: string }) =>
      passwordFile.startsWith(`${candidate.mountPath}/`),
    );
    expect(mount?.readOnly).toBe(true);
    const podSpec = (find(objects, 'Deployment', 'api') as Json).spec.template.spec;
    const volume = podSpec.volumes.find(
      (candidate: { name: string }) => candidate.name === mount.name,
    );
    expect(volume.secret.items).toEqual([{ key: 'mysql-password', path: 'mysql-password' }]);
    expect(passwordFile.endsWith('/mysql-password')).toBe(true);
    expect(JSON.stringify(configMap)).not.toMatch(/dev-only/);
  });
});

describe('the environment check', () => {
  it('lists only names the API really reads as deliberately unset', () => {
    for (const name of Object.keys(DELIBERATELY_UNSET)) {
      expect(API_ENV_VARS).toContain(name);
    }
  });

  it('notices a variable the manifests forget', () => {
    const objects = copyOf(VARIANTS.dev ?? []);
    const configMap = find(objects, 'ConfigMap', 'api-config') as { data: Record<string, string> };
    delete configMap.data.LOG_LEVEL;
    configMap.data.LOGLEVEL = 'info';
    const names = containerEnvNames(apiContainer(objects), objects);
    expect(names).not.toContain('LOG_LEVEL');
    expect(names).toContain('LOGLEVEL');
  });
});
