// docs/containers.md's secrets override must work as printed: docker-compose merges it with
// docker-compose.yml, the contract still holds, and the passwords reach db and api as files only.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONTRACT_EXPECTATIONS } from './support/compose-check.ts';
import { composeContractProblems } from './support/compose-rules.ts';
import { composeSchemaProblems } from './support/compose-schema.ts';
import { type ResolvedCompose, resolveComposeFiles } from './support/docker-compose.ts';
import { readRepoFile } from './support/repo.ts';

const EXAMPLE_MARKER = '<!-- compose-secrets-example';

/** The first ```yaml block after the marker comment. */
function secretsExample(markdown: string): string {
  const start = markdown.indexOf(EXAMPLE_MARKER);
  const block = markdown.slice(start).match(/```yaml\n([\s\S]*?)```/);
  if (start < 0 || !block?.[1])
    throw new Error('docs/containers.md lost its compose-secrets-example block');
  return block[1];
}

async function resolveWithSecrets(): Promise<ResolvedCompose> {
  const files = [
    readRepoFile('docker-compose.yml'),
    secretsExample(readRepoFile('docs/containers.md')),
  ];
  const resolved = await resolveComposeFiles(files, readRepoFile('.env'));
  if (!resolved.ok) throw new Error(resolved.problems.join('\n'));
  return resolved.config;
}

const secretNames = (entries: (string | { source: string })[] | undefined) =>
  (entries ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.source));

describe('the secrets override in docs/containers.md', () => {
  it('is valid against the compose-spec schema', () => {
    expect(
      composeSchemaProblems(parse(secretsExample(readRepoFile('docs/containers.md')))),
    ).toEqual([]);
  });

  it('merges with docker-compose.yml and keeps every contract rule', async () => {
    expect(composeContractProblems(await resolveWithSecrets(), CONTRACT_EXPECTATIONS)).toEqual([]);
  });

  it('gives the API its password as a mounted file, never as a value', async () => {
    const { api } = (await resolveWithSecrets()).services;
    expect(api?.environment).toMatchObject({
      MYSQL_PASSWORD: '',
      MYSQL_PASSWORD_FILE: '/run/secrets/mysql_password',
    });
    expect(secretNames(api?.secrets)).toEqual(['mysql_password']);
  });

  it('gives MySQL both passwords as mounted files, never as values', async () => {
    const { db } = (await resolveWithSecrets()).services;
    expect(db?.environment).toMatchObject({
      MYSQL_PASSWORD: '',
      MYSQL_PASSWORD_FILE: '/run/secrets/mysql_password',
      MYSQL_ROOT_PASSWORD: '',
      MYSQL_ROOT_PASSWORD_FILE: '/run/secrets/mysql_root_password',
    });
    expect(secretNames(db?.secrets).sort()).toEqual(['mysql_password', 'mysql_root_password']);
  });
});
