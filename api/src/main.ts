// The process entry (`node dist/main.js`): configuration, signals, exit codes. Starting,
// serving and shutting down are server.ts's.
import { ConfigError, loadConfig } from './config.ts';
import { startApi } from './server.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`tristack-api: ${error.message}`);
    process.exit(2);
  }
  const api = await startApi(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      void api.shutdown(signal).then((drained) => process.exit(drained ? 0 : 1));
    });
  }
  process.on('unhandledRejection', (reason) => {
    api.logger.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  console.error('tristack-api: failed to start:', error);
  process.exit(1);
});
