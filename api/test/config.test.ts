import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_ENV_VARS, checkEnvironment, LOG_LEVELS, loadConfig } from '../src/config.ts';

describe('configuration from the environment', () => {
  it('reads exactly the contract variables', () => {
    expect([...API_ENV_VARS].sort()).toEqual(
      [
        'API_PORT',
        'CORS_ORIGINS',
        'LOG_LEVEL',
        'MYSQL_DATABASE',
        'MYSQL_HOST',
        'MYSQL_PASSWORD',
        'MYSQL_PASSWORD_FILE',
        'MYSQL_PORT',
        'MYSQL_TIMEOUT_MS',
        'MYSQL_USER',
        'RATE_LIMIT_PER_MINUTE',
        'SHUTDOWN_DELAY_MS',
      ].sort(),
    );
  });

  it('uses the contract defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      port: 8000,
      mysql: {
        host: '127.0.0.1',
        port: 3306,
        database: 'tristack',
        user: 'root',
        password: '',
        timeoutMs: 2000,
      },
      corsOrigins: ['http://localhost:8080'],
      rateLimitPerMinute: 6000,
      logLevel: 'info',
      shutdownDelayMs: 2000,
    });
  });

  it('treats empty variables as unset, but keeps an empty password', () => {
    const config = loadConfig({ API_PORT: '', MYSQL_HOST: '', MYSQL_PASSWORD: '' });
    expect(config.port).toBe(8000);
    expect(config.mysql.host).toBe('127.0.0.1');
    expect(config.mysql.password).toBe('');
  });

  it('splits CORS_ORIGINS on commas', () => {
    expect(loadConfig({ CORS_ORIGINS: 'http://a.test, https://b.test:8443' }).corsOrigins).toEqual([
      'http://a.test',
      'https://b.test:8443',
    ]);
  });

  it.each([
    ['0', 0],
    ['250', 250],
    ['60000', 60_000],
  ])('reads SHUTDOWN_DELAY_MS=%s as %i ms, 0 closing the listener at once', (value, expected) => {
    expect(loadConfig({ SHUTDOWN_DELAY_MS: value }).shutdownDelayMs).toBe(expected);
  });

  it.each([
    ['API_PORT', 'abc'],
    ['API_PORT', '70000'],
    ['API_PORT', '80.5'],
    ['MYSQL_PORT', '0'],
    ['MYSQL_DATABASE', 'bad-name; DROP'],
    ['MYSQL_TIMEOUT_MS', '10'],
    ['MYSQL_TIMEOUT_MS', 'soon'],
    ['CORS_ORIGINS', 'localhost:8080'],
    ['CORS_ORIGINS', 'http://ok.test/path'],
    ['RATE_LIMIT_PER_MINUTE', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['SHUTDOWN_DELAY_MS', '-1'],
    ['SHUTDOWN_DELAY_MS', '60001'],
    ['SHUTDOWN_DELAY_MS', '1.5'],
    ['SHUTDOWN_DELAY_MS', '5s'],
  ])('rejects %s=%j with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`^invalid configuration: ${name}: `),
    );
  });

  it('says what a bad SHUTDOWN_DELAY_MS should be', () => {
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: '90000' })).toThrow(
      'invalid configuration: SHUTDOWN_DELAY_MS: must be at most 60000 ms',
    );
    expect(() => loadConfig({ SHUTDOWN_DELAY_MS: '5s' })).toThrow(
      'invalid configuration: SHUTDOWN_DELAY_MS: must be a number of milliseconds',
    );
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ API_PORT: 'x', LOG_LEVEL: 'y' })).toThrow(
      /API_PORT: .*; LOG_LEVEL: /,
    );
  });

  it('reads the password from MYSQL_PASSWORD_FILE without its trailing newline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tristack-')), 'password');
    writeFileSync(file, 's3cret with spaces\n');
    expect(loadConfig({ MYSQL_PASSWORD_FILE: file }).mysql.password).toBe('s3cret with spaces');
  });

  it('names MYSQL_PASSWORD_FILE when the file cannot be read', () => {
    expect(() => loadConfig({ MYSQL_PASSWORD_FILE: '/nonexistent/secret' })).toThrow(
      'MYSQL_PASSWORD_FILE: cannot read /nonexistent/secret (ENOENT)',
    );
  });

  it('refuses MYSQL_PASSWORD and MYSQL_PASSWORD_FILE together', () => {
    expect(() => loadConfig({ MYSQL_PASSWORD: 'a', MYSQL_PASSWORD_FILE: '/x' })).toThrow(
      'invalid configuration: MYSQL_PASSWORD: must not be set together with MYSQL_PASSWORD_FILE: keep one',
    );
  });

  it('takes the log levels it exports', () => {
    for (const level of LOG_LEVELS) expect(loadConfig({ LOG_LEVEL: level }).logLevel).toBe(level);
  });
});

describe('checking an environment without loading it', () => {
  it('finds nothing to refuse in the defaults or in a full valid environment', () => {
    expect(checkEnvironment({})).toEqual([]);
    expect(
      checkEnvironment({
        API_PORT: '8000',
        MYSQL_HOST: 'db',
        MYSQL_PORT: '3306',
        MYSQL_DATABASE: 'tristack',
        MYSQL_USER: 'tristack',
        MYSQL_PASSWORD_FILE: '/var/run/secrets/tristack/mysql-password',
        MYSQL_TIMEOUT_MS: '2000',
        CORS_ORIGINS: 'https://a.test,http://b.test:8080',
        RATE_LIMIT_PER_MINUTE: '0',
        LOG_LEVEL: 'trace',
        SHUTDOWN_DELAY_MS: '5000',
      }),
    ).toEqual([]);
  });

  it('names each variable it would refuse, with the reason loadConfig gives', () => {
    expect(checkEnvironment({ CORS_ORIGINS: 'example.com', LOG_LEVEL: 'loud' })).toEqual([
      {
        variable: 'CORS_ORIGINS',
        message:
          'must be comma-separated origins such as http://localhost:8080 (scheme and host, no path)',
      },
      { variable: 'LOG_LEVEL', message: `must be one of ${LOG_LEVELS.join(', ')}` },
    ]);
  });

  it('says once that CORS_ORIGINS is wrong, however many of its origins are', () => {
    expect(checkEnvironment({ CORS_ORIGINS: 'a.test,http://ok.test,b.test' })).toHaveLength(1);
  });

  it('refuses MYSQL_PASSWORD beside MYSQL_PASSWORD_FILE, but not an empty one', () => {
    expect(checkEnvironment({ MYSQL_PASSWORD: 'a', MYSQL_PASSWORD_FILE: '/x' })).toEqual([
      {
        variable: 'MYSQL_PASSWORD',
        message: 'must not be set together with MYSQL_PASSWORD_FILE: keep one',
      },
    ]);
    expect(checkEnvironment({ MYSQL_PASSWORD: '', MYSQL_PASSWORD_FILE: '/x' })).toEqual([]);
  });

  it('never reads MYSQL_PASSWORD_FILE, which need not exist where the check runs', () => {
    expect(checkEnvironment({ MYSQL_PASSWORD_FILE: '/nonexistent/secret' })).toEqual([]);
  });

  // loadConfig reads the password file the check leaves alone: give it one that exists.
  const passwordFile = join(mkdtempSync(join(tmpdir(), 'tristack-')), 'password');
  writeFileSync(passwordFile, 'secret\n');

  it.each<[string, Record<string, string>]>([
    ['nothing set', {}],
    ['empty values', { API_PORT: '', LOG_LEVEL: '', MYSQL_PASSWORD: '' }],
    ['a password file', { MYSQL_PASSWORD_FILE: passwordFile, CORS_ORIGINS: 'https://a.test' }],
    ['origins with a path and no scheme', { CORS_ORIGINS: 'http://a.test/x, b.test' }],
    ['an origin list of commas only', { CORS_ORIGINS: ' , ' }],
    ['three bad variables', { API_PORT: '0', MYSQL_TIMEOUT_MS: '1.5', LOG_LEVEL: 'INFO' }],
    ['both passwords', { MYSQL_PASSWORD: 'a', MYSQL_PASSWORD_FILE: passwordFile }],
    [
      'both passwords and a bad port',
      { MYSQL_PASSWORD: 'a', MYSQL_PASSWORD_FILE: '/x', MYSQL_PORT: 'x' },
    ],
  ])('agrees with loadConfig on %s', (_case, env) => {
    const problems = checkEnvironment(env);
    if (problems.length === 0) {
      expect(() => loadConfig(env)).not.toThrow();
    } else {
      const described = problems.map((problem) => `${problem.variable}: ${problem.message}`);
      expect(() => loadConfig(env)).toThrow(`invalid configuration: ${described.join('; ')}`);
    }
  });
});
