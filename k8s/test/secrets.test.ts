// The database passwords live in the Secret and nowhere else in the synthesized output.
import { describe, expect, it } from 'vitest';
import { buildManifests } from '../src/app.ts';

function secretValues(objects: Record<string, unknown>[]): string[] {
  return objects
    .filter((object) => object.kind === 'Secret')
    .flatMap((secret) => [
      ...Object.values((secret.stringData ?? {}) as Record<string, string>),
      ...Object.values((secret.data ?? {}) as Record<string, string>).map((value) =>
        Buffer.from(value, 'base64').toString('utf8'),
      ),
    ]);
}

describe('secrets in the manifests', () => {
  it('keep the dev passwords inside the Secret only', () => {
    const objects = buildManifests('dev');
    const passwords = secretValues(objects).filter((value) => value.length >= 8);
    expect(passwords.length).toBeGreaterThan(0);
    const others = JSON.stringify(objects.filter((object) => object.kind !== 'Secret'));
    for (const password of passwords) expect(others).not.toContain(password);
  });

  it('put no password at all in the prod output', () => {
    const objects = buildManifests('prod');
    expect(objects.filter((object) => object.kind === 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/dev-only/);
  });
});
