import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { REDIS_TOPOLOGIES, startTestRedis, type TestRedis } from './support/redis-cluster';
import { startTestApp, type TestApp } from './support/test-app';

const apps: TestApp[] = [];
const redises: TestRedis[] = [];
afterAll(async () => {
  for (const app of apps.reverse()) await app.close();
  await Promise.all(redises.map((redis) => redis.destroy()));
});

async function expectLimited(response: Awaited<ReturnType<ApiClient['request']>>) {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({
    statusCode: 429,
    error: 'Too Many Requests',
    message: 'Too many requests: the limit is 5 a minute',
  });
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
}

describe('RATE_LIMIT_PER_MINUTE', () => {
  it('is off by default', async () => {
    const app = await startTestApp('rate_off');
    apps.push(app);
    const api = new ApiClient(app.baseUrl);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => api.request('GET', '/api/config')),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
  });

  it.each(REDIS_TOPOLOGIES)(
    'limits each client address, and shares the count across instances through Redis (%s)',
    async (topology) => {
      const redis = await startTestRedis(topology);
      redises.push(redis);
      const env = {
        RATE_LIMIT_PER_MINUTE: '5',
        ...redis.env,
        REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
        ROLE: 'api',
      };
      const first = await startTestApp('rate_redis', env);
      apps.push(first);
      const second = await startTestApp('rate_redis', env, first);
      apps.push(second);
      const client = { 'x-forwarded-for': '10.9.0.1' };
      for (const api of [first, first, first, second, second].map(
        (app) => new ApiClient(app.baseUrl),
      )) {
        expect((await api.request('GET', '/api/config', { headers: client })).status).toBe(200);
      }
      await expectLimited(
        await new ApiClient(second.baseUrl).request('GET', '/api/config', { headers: client }),
      );
      await expectLimited(
        await new ApiClient(first.baseUrl).request('GET', '/api/config', { headers: client }),
      );
      const other = await new ApiClient(first.baseUrl).request('GET', '/api/config', {
        headers: { 'x-forwarded-for': '10.9.0.2' },
      });
      expect(other.status).toBe(200);
    },
  );

  it('limits in memory without Redis', async () => {
    const app = await startTestApp('rate_memory', { RATE_LIMIT_PER_MINUTE: '5' });
    apps.push(app);
    const api = new ApiClient(app.baseUrl);
    for (let i = 0; i < 5; i++) expect((await api.request('GET', '/api/config')).status).toBe(200);
    await expectLimited(await api.request('GET', '/api/config'));
  });
});
