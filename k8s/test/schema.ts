// Validates an object against the Kubernetes OpenAPI schema of its apiVersion and kind, with the
// models kubernetes-models generates from that schema.
import * as models from 'kubernetes-models';
import type { K8sObject } from './invariants.ts';

type ModelClass = new (data: unknown) => { validate(): void };

/** `networking.k8s.io/v1` → models.networkingK8sIo.v1; `v1` → models.v1. */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const groupKey = (group ?? '').replace(/\.([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const catalogue = models as unknown as Record<string, Record<string, Record<string, ModelClass>>>;
  const versions =
    groupKey === '' ? { [version ?? '']: catalogue[version ?? ''] } : catalogue[groupKey];
  return (versions?.[version ?? ''] as Record<string, ModelClass> | undefined)?.[kind];
}

/** The schema errors of one object; an unknown apiVersion/kind is an error too. */
export function schemaErrors(object: K8sObject): string[] {
  const Model = modelFor(object.apiVersion ?? '', object.kind ?? '');
  if (Model === undefined) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
