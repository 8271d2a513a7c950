import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, splitRedisUrls } from './app-config';

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
      eventShards: 1,
    });
  });

  it('reads EVENT_SHARDS from 1 to 64', () => {
    expect(loadConfig({ DATA_DIR: dataDir(), EVENT_SHARDS: '1' }).eventShards).toBe(1);
    expect(loadConfig({ DATA_DIR: dataDir(), EVENT_SHARDS: '3' }).eventShards).toBe(3);
    expect(loadConfig({ DATA_DIR: dataDir(), EVENT_SHARDS: '64' }).eventShards).toBe(64);
  });

  it('runs one HTTP process in development, and one per core in production with Redis', () => {
    const redis = { REDIS_URL: 'redis://cache:6379' };
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({ DATA_DIR: dataDir(), ...redis }).apiProcesses).toBe(1);
    expect(loadConfig({ DATA_DIR: dataDir(), ...redis, ROLE: 'api' }).apiProcesses).toBe(1);
    const cores = availableParallelism();
    expect(loadConfig({ DATA_DIR: dataDir(), ...redis, ...production }).apiProcesses).toBe(cores);
    const api = loadConfig({ DATA_DIR: dataDir(), ...redis, ...production, ROLE: 'api' });
    expect(api.apiProcesses).toBe(cores);
    const worker = loadConfig({ DATA_DIR: dataDir(), ...redis, ...production, ROLE: 'worker' });
    expect(worker.apiProcesses).toBe(1);
    expect(
      loadConfig({ DATA_DIR: dataDir(), ...redis, ...production, API_PROCESSES: '3' }).apiProcesses,
    ).toBe(3);
  });

  it('falls back to one HTTP process in production without Redis, saying why', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(config.apiProcesses).toBe(1);
    if (availableParallelism() > 1) expect(config.apiProcessesNote).toMatch(/needs REDIS_URL/);
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

  it('reads one Redis URL as a single node, as before REDIS_CLUSTER existed', () => {
    const config = loadConfig({ DATA_DIR: dataDir(), REDIS_URL: 'redis://cache:6379/1' });
    expect(config).toMatchObject({ redisUrl: 'redis://cache:6379/1', redisCluster: false });
  });

  it('takes a comma-separated list of seed nodes with REDIS_CLUSTER=true', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      REDIS_CLUSTER: 'true',
      REDIS_URL: 'redis://a:7000, redis://b:7001,rediss://c:7002',
    });
    expect(config.redisCluster).toBe(true);
    expect(splitRedisUrls(config.redisUrl!)).toEqual([
      'redis://a:7000',
      'redis://b:7001',
      'rediss://c:7002',
    ]);
  });

  it('refuses DATABASE_READ_URL without DATABASE_URL, since the embedded database has no replica', () => {
    expect(() =>
      loadConfig({ DATA_DIR: dataDir(), DATABASE_READ_URL: 'postgres://replica/db' }),
    ).toThrow('DATABASE_READ_URL needs DATABASE_URL');
  });

  it('reads DATABASE_READ_URL beside DATABASE_URL', () => {
    const config = loadConfig({
      DATA_DIR: dataDir(),
      DATABASE_URL: 'postgres://primary/db',
      DATABASE_READ_URL: 'postgres://replica/db',
    });
    expect(config.databaseReadUrl).toBe('postgres://replica/db');
  });

  it('says why several Redis URLs are refused without REDIS_CLUSTER', () => {
    expect(() =>
      loadConfig({ DATA_DIR: dataDir(), REDIS_URL: 'redis://a:7000,redis://b:7001' }),
    ).toThrow(
      'REDIS_URL lists several URLs, which only a Redis Cluster takes: set REDIS_CLUSTER=true',
    );
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ SCORE_MIN: '1.5' }, 'SCORE_MIN'],
    [{ SCORE_MAX: 'abc' }, 'SCORE_MAX'],
    [{ SCORE_MIN: '10', SCORE_MAX: '5' }, 'SCORE_MAX'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://a/db', DATABASE_READ_URL: 'mysql://b/db' }, 'DATABASE_READ_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ JWT_TTL: 'forever' }, 'JWT_TTL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ LOGIN_MAX_FAILURES: '0' }, 'LOGIN_MAX_FAILURES'],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, 'RATE_LIMIT_PER_MINUTE'],
    [{ ROLE: 'both' }, 'ROLE'],
    [{ REDIS_CLUSTER: 'yes', REDIS_URL: 'redis://a:6379' }, 'REDIS_CLUSTER'],
    [{ REDIS_CLUSTER: 'true' }, 'REDIS_CLUSTER'],
    [{ REDIS_URL: 'redis://a:6379,redis://b:6379' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:6379,http://b:6379' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:6379/2' }, 'REDIS_URL'],
    [{ EVENT_SHARDS: '0' }, 'EVENT_SHARDS'],
    [{ EVENT_SHARDS: '65' }, 'EVENT_SHARDS'],
    [{ EVENT_SHARDS: '2.5' }, 'EVENT_SHARDS'],
    [{ EVENT_SHARDS: 'three' }, 'EVENT_SHARDS'],
    [{ API_PROCESSES: '0' }, 'API_PROCESSES'],
    [{ API_PROCESSES: '2' }, 'API_PROCESSES'], // without REDIS_URL
    [{ API_PROCESSES: '2', ROLE: 'worker', REDIS_URL: 'redis://a:6379' }, 'API_PROCESSES'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ DATA_DIR: dataDir(), ...env })).toThrow(
      new RegExp(`\\b${variable}\\b`),
    );
  });
});
