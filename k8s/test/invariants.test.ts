import { describe, expect, it } from 'vitest';
import { copyOf, find, type Json, VARIANTS } from './fixtures.ts';
import {
  containerProblems,
  findNulls,
  type K8sObject,
  nameProblems,
  podSecurityProblems,
  portProblems,
  volumeProblems,
} from './invariants.ts';
import { schemaErrors } from './schema.ts';

type Spec = Json;
const spec = (object: K8sObject): Spec => object.spec as Spec;
const podSpecOf = (object: K8sObject): Spec => spec(object).template.spec;
const firstContainer = (object: K8sObject): Spec => podSpecOf(object).containers[0];

const CHECKS = {
  'no null values': findNulls,
  'service and probe ports exist on a container': portProblems,
  'volume mounts have volumes': volumeProblems,
  'names are DNS-1123': nameProblems,
  'containers have resources, probes and pinned images': containerProblems,
  'pods meet the restricted Pod Security Standard': podSecurityProblems,
};

describe.each(Object.entries(VARIANTS))('the %s output', (_variant, objects) => {
  it('validates every object against the Kubernetes schemas', () => {
    const errors = objects.flatMap((object) =>
      schemaErrors(object).map((error) => `${object.kind}/${object.metadata?.name}: ${error}`),
    );
    expect(errors).toEqual([]);
  });

  it.each(Object.entries(CHECKS))('has %s', (_check, check) => {
    expect(check(objects)).toEqual([]);
  });
});

// Each check must be able to fail: break one thing in the dev output and expect that exact report.
describe('the checks report broken objects', () => {
  const broken = (mutate: (objects: K8sObject[]) => void): K8sObject[] => {
    const objects = copyOf(VARIANTS.dev ?? []);
    mutate(objects);
    return objects;
  };

  it('rejects a schema violation: containerPort as a string', () => {
    const objects = broken((all) => {
      firstContainer(find(all, 'Deployment', 'api')).ports[0].containerPort = '8000';
    });
    expect(schemaErrors(find(objects, 'Deployment', 'api')).join()).toMatch(
      /containerPort must be integer/,
    );
  });

  it('rejects a schema violation: replicas as text, and a Deployment without containers', () => {
    const objects = broken((all) => {
      spec(find(all, 'Deployment', 'front')).replicas = 'two';
      podSpecOf(find(all, 'Deployment', 'api')).containers = undefined;
    });
    expect(schemaErrors(find(objects, 'Deployment', 'front')).join()).toMatch(
      /replicas must be integer/,
    );
    expect(schemaErrors(find(objects, 'Deployment', 'api')).join()).toMatch(/containers/);
  });

  it('rejects an apiVersion/kind with no schema', () => {
    expect(
      schemaErrors({ apiVersion: 'apps/v1', kind: 'Deployament', metadata: { name: 'x' } }),
    ).toEqual(['no schema for apps/v1 Deployament']);
  });

  it('finds a null storage size', () => {
    const objects = broken((all) => {
      spec(find(all, 'StatefulSet', 'db')).volumeClaimTemplates[0].spec.resources.requests.storage =
        null;
    });
    expect(findNulls(objects)).toEqual([
      'StatefulSet/db.spec.volumeClaimTemplates[0].spec.resources.requests.storage is null',
    ]);
  });

  it('finds a Service targetPort and a probe port no container declares', () => {
    const objects = broken((all) => {
      spec(find(all, 'Service', 'front')).ports[0].targetPort = 'htp';
      firstContainer(find(all, 'Deployment', 'api')).readinessProbe.httpGet.port = 8001;
    });
    expect(portProblems(objects)).toEqual([
      'Deployment/api api readinessProbe port 8001 is not declared',
      'Service/front targetPort htp is not a container port',
    ]);
  });

  it('finds a mount without a volume and a missing ConfigMap', () => {
    const objects = broken((all) => {
      const api = podSpecOf(find(all, 'Deployment', 'api'));
      api.volumes = api.volumes.filter((volume: Spec) => volume.name !== 'tmp');
      spec(find(all, 'StatefulSet', 'db')).volumeClaimTemplates[0].metadata.name = 'datta';
      podSpecOf(find(all, 'StatefulSet', 'db')).volumes[0].configMap.name = 'db-inti';
    });
    expect(volumeProblems(objects)).toEqual([
      'StatefulSet/db mysql mounts data, which is not a volume',
      'StatefulSet/db volume init uses ConfigMap db-inti, which is missing',
      'Deployment/api api mounts tmp, which is not a volume',
    ]);
  });

  it('finds names that are not DNS-1123', () => {
    const objects = broken((all) => {
      (find(all, 'ConfigMap', 'api-config').metadata as Spec).name = 'Api_Config';
      (find(all, 'Service', 'db').metadata as Spec).name = '3db';
      firstContainer(find(all, 'Deployment', 'front')).ports[0].name = 'http-front-port-8080';
    });
    expect(nameProblems(objects)).toEqual([
      'Service name "3db" is not a DNS-1035 label',
      'ConfigMap name "Api_Config" is not a DNS-1123 subdomain',
      'Deployment/front port name "http-front-port-8080" is not an IANA service name',
    ]);
  });

  it('finds a container without resources or probes, and unpinned images', () => {
    const objects = broken((all) => {
      const api = firstContainer(find(all, 'Deployment', 'api'));
      api.resources = undefined;
      api.readinessProbe = undefined;
      api.image = 'tristack-api:latest';
      firstContainer(find(all, 'Deployment', 'front')).image = 'registry:5000/tristack-front';
    });
    expect(containerProblems(objects)).toEqual([
      'Deployment/api api has no CPU request',
      'Deployment/api api has no memory request',
      'Deployment/api api has no memory limit',
      'Deployment/api api has no readinessProbe',
      'Deployment/api api image "tristack-api:latest" is not pinned (latest)',
      'Deployment/front httpd image "registry:5000/tristack-front" is not pinned (latest)',
    ]);
  });

  it('holds an init container to resources and a pinned image, and asks it for no probes', () => {
    const objects = broken((all) => {
      const migrate = podSpecOf(find(all, 'Deployment', 'api')).initContainers[0];
      migrate.resources = undefined;
      migrate.image = 'tristack-api';
    });
    expect(containerProblems(objects)).toEqual([
      'Deployment/api migrate has no CPU request',
      'Deployment/api migrate has no memory request',
      'Deployment/api migrate has no memory limit',
      'Deployment/api migrate image "tristack-api" is not pinned (latest)',
    ]);
  });

  it('finds an init container that breaks the restricted profile', () => {
    const objects = broken((all) => {
      const migrate = podSpecOf(find(all, 'Deployment', 'api')).initContainers[0];
      migrate.securityContext.capabilities = { drop: [] };
    });
    expect(podSecurityProblems(objects)).toEqual([
      'Deployment/api migrate does not drop ALL capabilities',
    ]);
  });

  it('finds every breach of the restricted profile', () => {
    const objects = broken((all) => {
      const api = podSpecOf(find(all, 'Deployment', 'api'));
      api.securityContext.runAsUser = 0;
      api.volumes.push({ name: 'host', hostPath: { path: '/' } });
      const container = api.containers[0];
      container.securityContext.allowPrivilegeEscalation = true;
      container.securityContext.capabilities = { add: ['SYS_ADMIN'] };
      container.securityContext.seccompProfile = { type: 'Unconfined' };
      const front = podSpecOf(find(all, 'Deployment', 'front'));
      front.securityContext.runAsNonRoot = undefined;
      front.containers[0].securityContext.runAsNonRoot = undefined;
      front.hostNetwork = true;
    });
    expect(podSecurityProblems(objects)).toEqual([
      'Deployment/api volume host has a forbidden type (hostPath)',
      'Deployment/api runs as root (pod runAsUser 0)',
      'Deployment/api api does not set allowPrivilegeEscalation: false',
      'Deployment/api api has no RuntimeDefault or Localhost seccomp profile',
      'Deployment/api api does not drop ALL capabilities',
      'Deployment/api api adds capabilities SYS_ADMIN',
      'Deployment/front shares a host namespace',
      'Deployment/front httpd does not set runAsNonRoot: true',
    ]);
  });
});
