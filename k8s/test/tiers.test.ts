import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import rootPackage from '../../package.json' with { type: 'json' };
import { INIT_SQL_FILE } from '../src/database.ts';
import { find, type Json, VARIANTS } from './fixtures.ts';
import type { K8sObject } from './invariants.ts';

const dev = VARIANTS.dev ?? [];
const prod = VARIANTS.prod ?? [];
const external = VARIANTS['prod with an external MySQL'] ?? [];
const custom = VARIANTS['dev with every override'] ?? [];

type Any = Json;
const object = (objects: K8sObject[], kind: string, name: string): Any => find(objects, kind, name);
const podSpec = (objects: K8sObject[], kind: string, name: string): Any =>
  object(objects, kind, name).spec.template.spec;
const container = (objects: K8sObject[], kind: string, name: string): Any =>
  podSpec(objects, kind, name).containers[0];
const kinds = (objects: K8sObject[]) =>
  objects.map((item) => `${item.kind}/${item.metadata?.name}`);

describe('every environment', () => {
  it.each(Object.entries(VARIANTS))(
    'labels every object as part of tristack (%s)',
    (_name, objects) => {
      for (const item of objects) {
        expect(item.metadata?.labels, `${item.kind}/${item.metadata?.name}`).toMatchObject({
          'app.kubernetes.io/name': 'tristack',
          'app.kubernetes.io/part-of': 'tristack',
        });
      }
    },
  );

  it.each(Object.entries(VARIANTS))(
    'gives every object a tier component, but the stack-wide ones (%s)',
    (_name, objects) => {
      const withoutComponent = objects
        .filter((item) => item.metadata?.labels?.['app.kubernetes.io/component'] === undefined)
        .map((item) => `${item.kind}/${item.metadata?.name}`);
      expect(withoutComponent).toEqual([
        expect.stringMatching(/^Namespace\//),
        'NetworkPolicy/default-deny',
        'NetworkPolicy/allow-dns',
      ]);
      for (const item of objects) {
        const component = item.metadata?.labels?.['app.kubernetes.io/component'];
        if (component !== undefined) expect(['db', 'api', 'front']).toContain(component);
      }
    },
  );

  it.each(Object.entries(VARIANTS))(
    'puts every namespaced object in the namespace (%s)',
    (_name, objects) => {
      const namespace = objects.find((item) => item.kind === 'Namespace')?.metadata?.name;
      for (const item of objects.filter((candidate) => candidate.kind !== 'Namespace')) {
        expect(item.metadata?.namespace, `${item.kind}/${item.metadata?.name}`).toBe(namespace);
      }
    },
  );

  it.each(Object.entries(VARIANTS))(
    'never mounts service account tokens (%s)',
    (_name, objects) => {
      const accounts = objects.filter((item) => item.kind === 'ServiceAccount') as Any[];
      expect(accounts.length).toBeGreaterThan(0);
      for (const account of accounts) expect(account.automountServiceAccountToken).toBe(false);
      for (const item of objects.filter((candidate) =>
        ['Deployment', 'StatefulSet'].includes(candidate.kind ?? ''),
      )) {
        const spec = (item as Any).spec.template.spec;
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(accounts.map((account) => account.metadata.name)).toContain(spec.serviceAccountName);
      }
    },
  );
});

describe('the namespace', () => {
  it('enforces the restricted Pod Security Standard', () => {
    expect(object(dev, 'Namespace', 'tristack').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  it('comes first, so `kubectl apply -f dist` creates it before what lives in it', () => {
    expect(dev[0]?.kind).toBe('Namespace');
  });
});

describe('the database', () => {
  const statefulSet = object(dev, 'StatefulSet', 'db');
  const mysql = container(dev, 'StatefulSet', 'db');

  it('runs MySQL 8.4 as a one-replica StatefulSet behind the headless Service db', () => {
    expect(mysql.image).toMatch(/^mysql:8\.4(\.\d+)?$/);
    expect(statefulSet.spec.replicas).toBe(1);
    expect(statefulSet.spec.serviceName).toBe('db');
    const service = object(dev, 'Service', 'db');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.ports).toEqual([
      { name: 'mysql', port: 3306, targetPort: mysql.ports[0].containerPort },
    ]);
  });

  it('keeps its data on a claim template with a real storage size in each environment', () => {
    const claim = statefulSet.spec.volumeClaimTemplates[0];
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
    expect(mysql.volumeMounts).toContainEqual({
      name: claim.metadata.name,
      mountPath: '/var/lib/mysql',
    });
    const prodClaim = object(prod, 'StatefulSet', 'db').spec.volumeClaimTemplates[0];
    expect(prodClaim.spec.resources.requests.storage).toBe('20Gi');
    const customClaim = object(custom, 'StatefulSet', 'db').spec.volumeClaimTemplates[0];
    expect(customClaim.spec).toMatchObject({
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '5Gi' } },
    });
    expect(statefulSet.spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
  });

  it('ships db/init.sql, read at synth time, into /docker-entrypoint-initdb.d', () => {
    const configMap = object(dev, 'ConfigMap', 'db-init');
    expect(configMap.data['init.sql']).toBe(readFileSync(INIT_SQL_FILE, 'utf8'));
    expect(configMap.data['init.sql']).toMatch(/CREATE TABLE IF NOT EXISTS items/);
    const volume = podSpec(dev, 'StatefulSet', 'db').volumes.find(
      (candidate: Any) => candidate.configMap?.name === 'db-init',
    );
    expect(mysql.volumeMounts).toContainEqual({
      name: volume.name,
      mountPath: '/docker-entrypoint-initdb.d',
      readOnly: true,
    });
  });

  it('takes its credentials from the Secret as files, with nothing secret in a ConfigMap', () => {
    expect(mysql.env).toEqual([
      { name: 'MYSQL_DATABASE', value: 'tristack' },
      { name: 'MYSQL_USER', value: 'tristack' },
      { name: 'MYSQL_PASSWORD_FILE', value: '/var/run/secrets/tristack/mysql-password' },
      { name: 'MYSQL_ROOT_PASSWORD_FILE', value: '/var/run/secrets/tristack/mysql-root-password' },
    ]);
    const volume = podSpec(dev, 'StatefulSet', 'db').volumes.find(
      (candidate: Any) => candidate.secret,
    );
    expect(volume.secret.secretName).toBe('db-credentials');
    for (const configMap of dev.filter((item) => item.kind === 'ConfigMap')) {
      expect(JSON.stringify(configMap)).not.toMatch(/dev-only-(app|root)-password/);
    }
  });

  it('pings over TCP for readiness, liveness and a patient startup probe', () => {
    const ping = { command: ['mysqladmin', 'ping', '-h', '127.0.0.1', '--silent'] };
    expect(mysql.readinessProbe.exec).toEqual(ping);
    expect(mysql.livenessProbe.exec).toEqual(ping);
    expect(mysql.startupProbe.exec).toEqual(ping);
    const startupSeconds = mysql.startupProbe.periodSeconds * mysql.startupProbe.failureThreshold;
    expect(startupSeconds).toBeGreaterThanOrEqual(300);
  });

  it("runs as the image's uid 999 with fsGroup 999 and writable scratch only where MySQL writes", () => {
    expect(podSpec(dev, 'StatefulSet', 'db').securityContext).toMatchObject({
      runAsUser: 999,
      runAsGroup: 999,
      fsGroup: 999,
    });
    const writable = mysql.volumeMounts
      .filter((mount: Any) => !mount.readOnly)
      .map((mount: Any) => mount.mountPath);
    expect(writable).toEqual(['/var/lib/mysql', '/var/run/mysqld', '/tmp']);
  });

  it('is absent with an external MySQL, where the API points at the managed server', () => {
    expect(kinds(external)).not.toContain('StatefulSet/db');
    expect(kinds(external)).not.toContain('Service/db');
    expect(kinds(external)).not.toContain('ConfigMap/db-init');
    expect(object(external, 'ConfigMap', 'api-config').data).toMatchObject({
      MYSQL_HOST: 'mysql.example.internal',
      MYSQL_PORT: '3307',
    });
  });
});

describe('the credentials Secret', () => {
  it('is generated in dev with public, clearly dev-only values', () => {
    const secret = object(dev, 'Secret', 'db-credentials');
    expect(secret.stringData).toEqual({
      'mysql-password': 'dev-only-app-password',
      'mysql-root-password': 'dev-only-root-password',
    });
  });

  it('is never generated in prod, nor when an existing Secret is named', () => {
    expect(prod.filter((item) => item.kind === 'Secret')).toEqual([]);
    expect(custom.filter((item) => item.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(prod)).not.toMatch(/dev-only/);
    const volume = podSpec(custom, 'Deployment', 'api').volumes.find(
      (candidate: Any) => candidate.secret,
    );
    expect(volume.secret.secretName).toBe('my-db-secret');
  });
});

describe('the API', () => {
  const deployment = object(dev, 'Deployment', 'api');
  const api = container(dev, 'Deployment', 'api');

  it('serves on 8000 through the Service api', () => {
    expect(api.ports).toEqual([{ name: 'http', containerPort: 8000 }]);
    expect(object(dev, 'Service', 'api').spec.ports).toEqual([
      { name: 'http', port: 8000, targetPort: api.ports[0].containerPort },
    ]);
  });

  it('is ready on /status, alive on /healthz, with a startup probe', () => {
    expect(api.readinessProbe.httpGet).toEqual({ path: '/status', port: 8000, scheme: 'HTTP' });
    expect(api.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 8000, scheme: 'HTTP' });
    expect(api.startupProbe.httpGet).toEqual({ path: '/healthz', port: 8000, scheme: 'HTTP' });
    // /status may wait MYSQL_TIMEOUT_MS for the database before answering 503.
    const timeoutMs = Number(object(dev, 'ConfigMap', 'api-config').data.MYSQL_TIMEOUT_MS);
    expect(api.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(timeoutMs);
  });

  it('runs as uid 1000 on a read-only root filesystem with an emptyDir /tmp', () => {
    expect(podSpec(dev, 'Deployment', 'api').securityContext).toMatchObject({ runAsUser: 1000 });
    expect(api.securityContext.readOnlyRootFilesystem).toBe(true);
    const tmp = api.volumeMounts.find((mount: Any) => mount.mountPath === '/tmp');
    const volume = podSpec(dev, 'Deployment', 'api').volumes.find(
      (candidate: Any) => candidate.name === tmp.name,
    );
    expect(volume.emptyDir).toBeDefined();
  });

  it('scales between 2 and 4 pods in dev and 3 and 10 in prod, the autoscaler owning the count', () => {
    expect(deployment.spec.replicas).toBeUndefined();
    expect(object(dev, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 2,
      maxReplicas: 4,
    });
    expect(object(prod, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 10,
    });
    expect(object(custom, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 6,
    });
  });

  it('keeps all but one pod through voluntary disruptions', () => {
    expect(object(dev, 'PodDisruptionBudget', 'api').spec.maxUnavailable).toBe(1);
  });

  it('invites Prometheus to scrape /metrics on 8000, and rolls pods when its config changes', () => {
    const annotations = deployment.spec.template.metadata.annotations;
    expect(annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8000',
      'prometheus.io/path': '/metrics',
    });
    const customAnnotations = object(custom, 'Deployment', 'api').spec.template.metadata
      .annotations;
    expect(customAnnotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(customAnnotations['checksum/config']).not.toBe(annotations['checksum/config']);
  });

  it('allows the page origin for CORS: localhost in dev, the https host in prod', () => {
    expect(object(dev, 'ConfigMap', 'api-config').data.CORS_ORIGINS).toBe('http://localhost:8080');
    expect(object(prod, 'ConfigMap', 'api-config').data.CORS_ORIGINS).toBe(
      'https://tristack.example.com',
    );
  });
});

describe('the front', () => {
  const httpd = container(dev, 'Deployment', 'front');

  it('serves on 8080 through the Service front, ready on /', () => {
    expect(httpd.ports).toEqual([{ name: 'http', containerPort: 8080 }]);
    expect(object(dev, 'Service', 'front').spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: httpd.ports[0].containerPort },
    ]);
    expect(httpd.readinessProbe.httpGet).toEqual({ path: '/', port: 8080, scheme: 'HTTP' });
  });

  it('runs as uid 82 with a writable /tmp and nothing else writable', () => {
    expect(podSpec(dev, 'Deployment', 'front').securityContext).toMatchObject({ runAsUser: 82 });
    expect(httpd.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(httpd.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('uses images tagged with the repository version, or the overrides', () => {
    // A release bumps package.json: the manifests must follow without an edit.
    expect(httpd.image).toBe(`tristack-front:${rootPackage.version}`);
    expect(container(dev, 'Deployment', 'api').image).toBe(`tristack-api:${rootPackage.version}`);
    expect(container(custom, 'Deployment', 'front').image).toBe(
      'registry.example.com:5000/acme/tristack-front:1.2.3',
    );
    expect(container(custom, 'Deployment', 'api').image).toBe(
      'registry.example.com:5000/acme/tristack-api:1.2.3',
    );
    expect(container(custom, 'StatefulSet', 'db').image).toBe('mysql:8.4.3');
  });
});

describe('the ingress', () => {
  const paths = (objects: K8sObject[]) =>
    object(objects, 'Ingress', 'tristack').spec.rules[0].http.paths;

  it('sends /api to the API and the rest to the front, with no rewrite', () => {
    // Prefix paths match longest first whatever their order (cdk8s-plus sorts them by path).
    const byPath = (a: Any, b: Any) => String(a.path).localeCompare(String(b.path));
    expect([...paths(dev)].sort(byPath)).toEqual([
      {
        path: '/',
        pathType: 'Prefix',
        backend: { service: { name: 'front', port: { number: 8080 } } },
      },
      {
        path: '/api',
        pathType: 'Prefix',
        backend: { service: { name: 'api', port: { number: 8000 } } },
      },
    ]);
    expect(object(dev, 'Ingress', 'tristack').metadata.annotations).toBeUndefined();
  });

  it('answers any host in dev and the configured host with TLS in prod', () => {
    const devSpec = object(dev, 'Ingress', 'tristack').spec;
    expect(devSpec.rules[0].host).toBeUndefined();
    expect(devSpec.tls).toBeUndefined();
    expect(object(prod, 'Ingress', 'tristack').spec).toMatchObject({
      ingressClassName: 'nginx',
      tls: [{ hosts: ['tristack.example.com'], secretName: 'tristack-tls' }],
      rules: [{ host: 'tristack.example.com' }],
    });
    expect(object(custom, 'Ingress', 'tristack').spec).toMatchObject({
      ingressClassName: 'traefik',
      tls: [{ hosts: ['tristack.test'], secretName: 'tristack-test-tls' }],
    });
  });
});

describe('the network policies', () => {
  const policy = (objects: K8sObject[], name: string): Any =>
    object(objects, 'NetworkPolicy', name).spec;
  const component = (peer: Any) => peer.podSelector?.matchLabels?.['app.kubernetes.io/component'];
  const namespaceOf = (peer: Any) =>
    peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];

  // Rules are OR'ed and policyTypes is a set: compare them regardless of order.
  const sources = (rules: Any[]) =>
    rules.flatMap((rule: Any) =>
      rule.from.map((peer: Any) => component(peer) ?? namespaceOf(peer)),
    );

  it('deny all traffic by default, in and out', () => {
    const { policyTypes, ...rest } = policy(dev, 'default-deny');
    expect(rest).toEqual({ podSelector: {} });
    expect([...policyTypes].sort()).toEqual(['Egress', 'Ingress']);
  });

  it('let db be reached only by api, on 3306', () => {
    const db = policy(dev, 'db');
    expect(sources(db.ingress)).toEqual(['api']);
    expect(db.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3306 }]);
    // Egress is in policyTypes with no rule: the database reaches nothing.
    expect(db.policyTypes).toContain('Egress');
    expect(db.egress).toBeUndefined();
  });

  it('let api be reached only by front and the ingress controller, on 8000', () => {
    const api = policy(dev, 'api');
    expect(sources(api.ingress)).toEqual(['front', 'ingress-nginx']);
    for (const rule of api.ingress) expect(rule.ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
    expect(api.egress).toEqual([
      {
        to: [
          {
            podSelector: {
              matchLabels: {
                'app.kubernetes.io/component': 'db',
                'app.kubernetes.io/name': 'tristack',
              },
            },
          },
        ],
        ports: [{ protocol: 'TCP', port: 3306 }],
      },
    ]);
  });

  it('let front be reached only by the ingress controller and reach only api', () => {
    const front = policy(dev, 'front');
    expect(front.ingress[0].from.map(namespaceOf)).toEqual(['ingress-nginx']);
    expect(front.egress[0].to.map(component)).toEqual(['api']);
  });

  it('open the API to a named metrics namespace, and to the external MySQL port', () => {
    const customApi = policy(custom, 'api');
    expect(sources(customApi.ingress)).toEqual(['front', 'traefik', 'monitoring']);
    expect(policy(external, 'api').egress).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 3307 }] },
    ]);
    expect(kinds(external)).not.toContain('NetworkPolicy/db');
  });
});
