// One checker for a compose document: the compose-spec schema, docker-compose 1.29's own
// validation and interpolation, then the contract's rules. A document passes only if all three do.
import { fileURLToPath } from 'node:url';
import { API_ENV_VARS } from '../../api/src/config.ts';
import { MIGRATE_IMAGE_COMMAND } from '../../api/src/migrations/paths.ts';
import { INIT_SQL_PATH } from '../../db/bootstrap.ts';
import { API_ROUTES, IMAGE_NAMES, PORTS } from '../../k8s/src/contract.ts';
import { type ComposeExpectations, composeContractProblems } from './compose-rules.ts';
import { composeSchemaProblems } from './compose-schema.ts';
import { resolveCompose } from './docker-compose.ts';

/** What the contract expects, read from the code that owns each fact (not retyped here). */
export const CONTRACT_EXPECTATIONS: ComposeExpectations = {
  apiEnvNames: API_ENV_VARS,
  ports: PORTS,
  images: IMAGE_NAMES,
  initSqlPath: fileURLToPath(INIT_SQL_PATH),
  readinessPath: API_ROUTES.readiness,
  migrateCommand: MIGRATE_IMAGE_COMMAND,
};

export async function composeProblems(
  document: unknown,
  envText: string,
  expected: ComposeExpectations = CONTRACT_EXPECTATIONS,
): Promise<string[]> {
  const schemaProblems = composeSchemaProblems(document);
  const resolved = await resolveCompose(document, envText);
  if (!resolved.ok) return [...schemaProblems, ...resolved.problems];
  return [...schemaProblems, ...composeContractProblems(resolved.config, expected)];
}
