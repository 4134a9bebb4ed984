// The objects a rendered environment holds, read back from the YAML `cdk8s synth` writes (never
// from the constructs' own description of them), and the lookups a kubelet would make in them.
import { parseAllDocuments } from 'yaml';
import { renderYaml } from '../../../k8s/src/app.ts';

/** A rendered object, walked as plain JSON (the schema tests have typed it already). */
export type K8sObject = {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: the harness reads arbitrary rendered fields on purpose
} & Record<string, any>;

export interface Rendered {
  environment: string;
  yaml: string;
  objects: K8sObject[];
}

/** What `TRISTACK_ENV=<environment> [overrides] npx cdk8s synth` writes, parsed. */
export function render(environment: string, overrides: Record<string, string> = {}): Rendered {
  const yaml = renderYaml(environment, overrides);
  const objects = parseAllDocuments(yaml).map((document) => document.toJS() as K8sObject);
  return { environment, yaml, objects };
}

export function findObject(rendered: Rendered, kind: string, name: string): K8sObject {
  const found = rendered.objects.find(
    (object) => object.kind === kind && object.metadata.name === name,
  );
  if (!found) throw new Error(`${rendered.environment}: no ${kind}/${name} in the rendered YAML`);
  return found;
}

/** Whether a Service's selector picks a pod with these labels. */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/**
 * prod renders no Secret: the operator creates it first (docs/kubernetes.md,
 * `kubectl create secret generic db-credentials ...`). This adds the one they would create.
 */
export function withOperatorSecret(rendered: Rendered): Rendered {
  if (rendered.objects.some((object) => object.kind === 'Secret')) return rendered;
  const encoded = (text: string) => Buffer.from(text).toString('base64');
  rendered.objects.push({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-credentials' },
    data: {
      'mysql-password': encoded('operator-app-password'),
      'mysql-root-password': encoded('operator-root-password'),
    },
  });
  return rendered;
}
