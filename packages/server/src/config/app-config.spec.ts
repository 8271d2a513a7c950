import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './app-config';

const dataDir = () => mkdtempSync(join(tmpdir(), 'scoreboard-config-'));

describe('loadConfig', () => {
  it('applies the SPEC defaults to an empty environment', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      role: 'all',
      port: 3000,
      databaseUrl: undefined,
      redisUrl: undefined,
      jwtTtlSeconds: 86_400,
      scoreMin: 0,
      scoreMax: 100,
      logLevel: 'info',
      logFormat: 'auto',
      loginMaxFailures: 10,
      rateLimitPerMinute: 0,
    });
  });

  it('generates a JWT secret once outside production and keeps it under DATA_DIR', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.jwtSecret).toHaveLength(64);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first.jwtSecret);
  });

  it('reads durations for JWT_TTL', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), JWT_TTL: '15m' }).jwtTtlSeconds).toBe(900);
    expect(loadConfig({ DATA_DIR: dataDir(), JWT_TTL: '3600' }).jwtTtlSeconds).toBe(3600);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SCORE_MIN: '1.5' }, 'SCORE_MIN'],
    [{ SCORE_MAX: 'abc' }, 'SCORE_MAX'],
    [{ SCORE_MIN: '10', SCORE_MAX: '5' }, 'SCORE_MAX'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ JWT_TTL: 'forever' }, 'JWT_TTL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ LOGIN_MAX_FAILURES: '0' }, 'LOGIN_MAX_FAILURES'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ ROLE: 'both' }, 'ROLE'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(
      new RegExp(`\\b${variable}\\b`),
    );
  });
});
