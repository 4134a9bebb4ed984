// Validates an object against the Kubernetes OpenAPI schema of its apiVersion and kind, with the
// models kubernetes-models generates from that schema.
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import * as models from 'kubernetes-models';
import type { K8sObject } from './invariants.ts';

type ModelClass = new (data: unknown) => { validate(): void };

// Custom resources the chart may emit, each with the schema of the CRD that defines it. Listed
// one by one on purpose: any other custom kind still fails with "no schema".
const CUSTOM_RESOURCE_MODELS: Record<string, ModelClass> = {
  'monitoring.coreos.com/v1 ServiceMonitor': ServiceMonitor as unknown as ModelClass,
};

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
  const Model =
    CUSTOM_RESOURCE_MODELS[`${object.apiVersion} ${object.kind}`] ??
    modelFor(object.apiVersion ?? '', object.kind ?? '');
  if (Model === undefined) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}
