// The cdk8s app entry (cdk8s.yaml runs it): picks the environment from TRISTACK_ENV (default
// dev), applies TRISTACK_* overrides and writes <outdir>/tristack.k8s.yaml.
import { createApp } from './app.ts';
import { StackConfigError } from './config.ts';
import { environmentFromEnv, resolveStackConfig } from './overrides.ts';

try {
  const config = resolveStackConfig(environmentFromEnv(process.env), process.env);
  // cdk8s synth passes the output directory in CDK8S_OUTDIR; App reads it.
  createApp(config).synth();
} catch (error) {
  if (!(error instanceof StackConfigError)) throw error;
  console.error(`tristack: ${error.message}`);
  process.exitCode = 1;
}
