// The API's configuration: the contract's environment variables, parsed and validated once at
// start-up. Nothing else in the API reads process.env.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** LOG_LEVEL's values: pino's levels. The manifests (k8s/src) take them from here. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be a port from 1 to 65535')
  .max(65_535, 'must be a port from 1 to 65535');

/** A duration in milliseconds from `min` to `max`, with messages that say the unit. */
function milliseconds(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`);
}

/**
 * How long the API keeps serving after SIGTERM, readiness already failing, before it closes its
 * listener. 2 s: where nothing removes the instance from the balancers before the signal
 * (Compose, a plain `docker stop`, `npm start`), this is all the time a balancer that checks
 * /status every second or so has to stop sending new connections, and a keep-alive client busy
 * enough to send a request in it is told `Connection: close`. It stays short because a plain
 * `docker stop` kills after 10 s in all, which must still hold the drain, and Ctrl-C on
 * `npm start` should not feel stuck. Kubernetes sets its own value (k8s/src/api.ts).
 */
const DEFAULT_SHUTDOWN_DELAY_MS = 2000;
/** Past a minute the delay outlasts every orchestrator's default kill timeout. */
const MAX_SHUTDOWN_DELAY_MS = 60_000;

const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(
          /^https?:\/\/[^/\s]+$/,
          'must be comma-separated origins such as http://localhost:8080 (scheme and host, no path)',
        ),
    ),
  );

const envSchema = z.object({
  API_PORT: port.default(8000),
  MYSQL_HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  MYSQL_PORT: port.default(3306),
  MYSQL_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'must be 1-64 letters, digits or underscores')
    .default('tristack'),
  MYSQL_USER: z.string().min(1, 'must not be empty').default('root'),
  MYSQL_PASSWORD: z.string().default(''),
  MYSQL_PASSWORD_FILE: z.string().min(1, 'must be a file path').optional(),
  MYSQL_TIMEOUT_MS: milliseconds(100, 60_000).default(2000),
  CORS_ORIGINS: originList.default(['http://localhost:8080']),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ error: 'must be a number of requests' })
    .int('must be a whole number')
    .min(0, 'must be 0 (off) or more')
    .default(6000),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
  SHUTDOWN_DELAY_MS: milliseconds(0, MAX_SHUTDOWN_DELAY_MS).default(DEFAULT_SHUTDOWN_DELAY_MS),
});

/**
 * In-flight requests get this long to finish once the listener closes, after the shutdown delay.
 * Not a setting: the orchestrators' stop budgets are built on it (Kubernetes allows 30 s in all:
 * k8s/src/api.ts adds it up; the Compose rules check stop_grace_period against it).
 */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * What the API uses for each variable left unset: the one definition of the defaults, which the
 * manifests (k8s/src) render rather than repeat.
 */
export const API_DEFAULTS = envSchema.parse({});

/** The environment variables the API reads: compose and the manifests must set these names. */
export const API_ENV_VARS = Object.keys(envSchema.shape) as readonly ApiVariable[];
export type ApiVariable = keyof typeof envSchema.shape;

/** A variable the API would refuse, and why. */
export interface ConfigProblem {
  variable: ApiVariable;
  message: string;
}

export interface Config {
  port: number;
  mysql: {
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    timeoutMs: number;
  };
  corsOrigins: string[];
  /** Requests per minute per client address; 0 turns the limit off. */
  rateLimitPerMinute: number;
  logLevel: LogLevel;
  /** After SIGTERM, how long the listener stays open (readiness failing) before the drain; 0 closes it at once. */
  shutdownDelayMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readPasswordFile(path: string): string {
  try {
    // Secret files usually end with a newline that is not part of the password.
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new ConfigError(`MYSQL_PASSWORD_FILE: cannot read ${path} (${reason})`);
  }
}

type Environment = Readonly<Record<string, string | undefined>>;

/** The variables the schema sees: an empty one means "not set", except for the password. */
function presentVariables(env: Environment): Partial<Record<ApiVariable, string>> {
  // Compose passes ${VAR:-} through as "", but an empty password is a real value (the local
  // root default).
  return Object.fromEntries(
    API_ENV_VARS.filter(
      (name) => env[name] !== undefined && (env[name] !== '' || name === 'MYSQL_PASSWORD'),
    ).map((name) => [name, env[name]]),
  );
}

/**
 * Every variable of `env` the API would refuse, with the reason; none when it would start.
 * Reads nothing else (not even MYSQL_PASSWORD_FILE's file), so the manifests can check the
 * environment they render (k8s/src/api-environment-check.ts); loadConfig refuses exactly these.
 */
export function checkEnvironment(env: Environment): ConfigProblem[] {
  const parsed = envSchema.safeParse(presentVariables(env));
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        // The schema is an object of variables: an issue's path starts with the variable's name.
        variable: issue.path[0] as ApiVariable,
        message: issue.message,
      }));
  if (env.MYSQL_PASSWORD && env.MYSQL_PASSWORD_FILE) {
    problems.push({
      variable: 'MYSQL_PASSWORD',
      message: 'must not be set together with MYSQL_PASSWORD_FILE: keep one',
    });
  }
  // Several bad origins in CORS_ORIGINS give the same issue once each: say it once.
  return problems.filter(
    (problem, index) =>
      problems.findIndex(
        (other) => other.variable === problem.variable && other.message === problem.message,
      ) === index,
  );
}

function refuse(problems: ConfigProblem[]): void {
  if (problems.length === 0) return;
  const described = problems.map((problem) => `${problem.variable}: ${problem.message}`);
  throw new ConfigError(`invalid configuration: ${described.join('; ')}`);
}

type Values = z.infer<typeof envSchema>;

function mysqlSettings(values: Values): Config['mysql'] {
  return {
    host: values.MYSQL_HOST,
    port: values.MYSQL_PORT,
    database: values.MYSQL_DATABASE,
    user: values.MYSQL_USER,
    password: values.MYSQL_PASSWORD_FILE
      ? readPasswordFile(values.MYSQL_PASSWORD_FILE)
      : values.MYSQL_PASSWORD,
    timeoutMs: values.MYSQL_TIMEOUT_MS,
  };
}

/**
 * Only the MYSQL_* variables, with the API's own rules and defaults: for the tools that reach the
 * same database as the API (the migrations), which must not refuse to run over an API setting.
 */
export function loadMysqlConfig(env: NodeJS.ProcessEnv = process.env): Config['mysql'] {
  refuse(checkEnvironment(env).filter((problem) => problem.variable.startsWith('MYSQL_')));
  const mysqlOnly = Object.fromEntries(
    Object.entries(presentVariables(env)).filter(([name]) => name.startsWith('MYSQL_')),
  );
  // Cannot fail: the other variables are left out, so each takes its default.
  return mysqlSettings(envSchema.parse(mysqlOnly));
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  refuse(checkEnvironment(env));
  // Cannot fail: checkEnvironment has just parsed the same variables with the same schema.
  const values = envSchema.parse(presentVariables(env));
  return {
    port: values.API_PORT,
    mysql: mysqlSettings(values),
    corsOrigins: values.CORS_ORIGINS,
    rateLimitPerMinute: values.RATE_LIMIT_PER_MINUTE,
    logLevel: values.LOG_LEVEL,
    shutdownDelayMs: values.SHUTDOWN_DELAY_MS,
  };
}
