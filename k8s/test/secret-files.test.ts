// The Secret files every pod reads: owner and group may read them (0440), the pod's fsGroup is
// that group, and the mount is read-only. The kubelet ORs group read into a Secret's files
// whenever the pod has an fsGroup (pkg/volume/volume_linux.go), so a 0400 would still work on a
// kubelet; 0440 states what the chart relies on instead of leaving it to that detail.
import { describe, expect, it } from 'vitest';
import { copyOf, type Json, VARIANTS } from './fixtures.ts';
import type { K8sObject } from './invariants.ts';

/** Read by the owner (root) and the group (the pod's fsGroup), by nobody else. */
const OWNER_AND_GROUP_READ = 0o440;

interface SecretMount {
  where: string;
  modes: number[];
  fsGroup: number | undefined;
  readOnly: boolean[];
}

function secretMounts(objects: K8sObject[]): SecretMount[] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
    .flatMap((object) => {
      const pod = (object as Json).spec.template.spec;
      return (pod.volumes ?? [])
        .filter((volume: Json) => volume.secret)
        .map((volume: Json) => ({
          where: `${object.kind}/${object.metadata?.name} volume ${volume.name}`,
          modes: [
            volume.secret.defaultMode,
            ...(volume.secret.items ?? []).map(
              (item: Json) => item.mode ?? volume.secret.defaultMode,
            ),
          ],
          fsGroup: pod.securityContext?.fsGroup,
          readOnly: pod.containers.flatMap((container: Json) =>
            (container.volumeMounts ?? [])
              .filter((mount: Json) => mount.name === volume.name)
              .map((mount: Json) => mount.readOnly === true),
          ),
        }));
    });
}

function problems(objects: K8sObject[]): string[] {
  return secretMounts(objects).flatMap((mount) => [
    ...(mount.modes.every((mode) => mode === OWNER_AND_GROUP_READ)
      ? []
      : [`${mount.where}: mode must be 0440`]),
    ...(mount.fsGroup === undefined ? [`${mount.where}: the pod needs an fsGroup to read it`] : []),
    ...(mount.readOnly.every(Boolean) && mount.readOnly.length > 0
      ? []
      : [`${mount.where}: mount it read-only`]),
  ]);
}

describe.each(Object.entries(VARIANTS))('Secret files in the %s output', (_name, objects) => {
  it('are 0440, read through the pod fsGroup, on read-only mounts', () => {
    expect(secretMounts(objects).length).toBeGreaterThan(0);
    expect(problems(objects)).toEqual([]);
  });
});

describe('the Secret file check', () => {
  const dev = VARIANTS.dev ?? [];
  const api = (objects: K8sObject[]) =>
    (objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === 'api') as Json).spec
      .template.spec;

  it('notices a 0400 mode', () => {
    const objects = copyOf(dev);
    api(objects).volumes.find((volume: Json) => volume.secret).secret.defaultMode = 0o400;
    expect(problems(objects)).toEqual(['Deployment/api volume credentials: mode must be 0440']);
  });

  it('notices a pod without an fsGroup', () => {
    const objects = copyOf(dev);
    delete api(objects).securityContext.fsGroup;
    expect(problems(objects)).toEqual([
      'Deployment/api volume credentials: the pod needs an fsGroup to read it',
    ]);
  });
});
