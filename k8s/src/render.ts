// Writes k8s/rendered/<environment>.k8s.yaml, the manifests skaffold deploys. They are committed
// (skaffold refuses to start when a rawYaml file is missing, even if a hook would create it) and
// a test keeps them equal to the synthesized output. The file is rewritten only when its content
// changes: skaffold dev watches it, and a fresh timestamp alone would redeploy in a loop.
// Defaults only: TRISTACK_* overrides are for `npx cdk8s synth`, not for the committed files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderYaml } from './app.ts';
import { ENVIRONMENT_NAMES, StackConfigError } from './config.ts';

export function renderedFile(environment: string): string {
  return fileURLToPath(new URL(`../rendered/${environment}.k8s.yaml`, import.meta.url));
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Renders one environment into `path`; answers whether the file changed. */
export function writeRendered(environment: string, path = renderedFile(environment)): boolean {
  const yaml = renderYaml(environment);
  if (readIfPresent(path) === yaml) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, yaml);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const requested = process.argv.slice(2);
  try {
    for (const environment of requested.length > 0 ? requested : ENVIRONMENT_NAMES) {
      const changed = writeRendered(environment);
      console.log(`${renderedFile(environment)}: ${changed ? 'updated' : 'unchanged'}`);
    }
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    console.error(`tristack: ${error.message}`);
    process.exitCode = 1;
  }
}
