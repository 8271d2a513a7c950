import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AttemptsRepository } from '../src/auth/attempts.repository';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The limits that protect the service (SPEC section 3), each refused as stated: login attempts
 * that cannot be raced, signups per client address across instances, and a protected /metrics.
 */
let app: TestApp;
let api: ApiClient;
let twin: TestApp;
let twinApi: ApiClient;
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

beforeAll(async () => {
  const env = { SIGNUP_MAX_PER_HOUR: '3', METRICS_TOKEN };
  app = await startTestApp('request_limits', env);
  twin = await startTestApp('request_limits', env, app);
  api = new ApiClient(app.baseUrl);
  twinApi = new ApiClient(twin.baseUrl);
});
afterAll(async () => {
  await twin.close();
  await app.close();
});

/** A client behind the trusted proxy (TRUST_PROXY=loopback in tests) with this address. */
const from = (address: string) => ({ 'x-forwarded-for': address });

const signup = (client: ApiClient, address: string, body: unknown, rawBody?: string) =>
  client.request('POST', '/api/auth/signup', {
    headers: from(address),
    ...(rawBody === undefined ? { body } : { rawBody }),
  });

describe('login attempts', () => {
  it('checks at most LOGIN_MAX_FAILURES passwords when 60 wrong ones arrive at once', async () => {
    const { email } = await signup(api, '198.51.100.1', {
      email: `race-${Date.now()}@example.com`,
      password: 'correct horse battery',
    }).then((response) => ({ email: response.body.user.email as string }));
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        api.request('POST', '/api/auth/login', {
          headers: from(`198.51.100.${10 + i}`),
          body: { email, password: `wrong password ${i}` },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    // A 401 is a checked password; a 429 was refused before any check.
    expect(statuses.filter((status) => status === 401).length).toBe(10);
    expect(statuses.filter((status) => status === 429).length).toBe(50);
    const refused = responses.find((response) => response.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('does not count a successful login against its address', async () => {
    const address = '198.51.100.200';
    const email = `ok-${Date.now()}@example.com`;
    await signup(api, address, { email, password: 'correct horse battery' });
    for (let i = 0; i < 12; i++) {
      const login = await api.request('POST', '/api/auth/login', {
        headers: from(address),
        body: { email, password: 'correct horse battery' },
      });
      expect(login.status).toBe(200);
    }
  });

  it('purges counts whose window has ended', async () => {
    await app.sql(
      `INSERT INTO login_failures (key, failures, window_started_at)
       VALUES ('account:old@example.com', 3, now() - interval '1 hour')`,
    );
    await app.app.get(AttemptsRepository).purgeExpired(app.config.loginWindowSeconds);
    expect(
      await app.sql(`SELECT 1 FROM login_failures WHERE key = 'account:old@example.com'`),
    ).toEqual([]);
  });
});

describe('signups per client address', () => {
  it('answers the 4th signup of an hour from one address 429 before reading its body, whatever the earlier answers were', async () => {
    const address = '203.0.113.7';
    const email = `limit-${Date.now()}@example.com`;
    expect((await signup(api, address, { email, password: 'correct horse battery' })).status).toBe(
      201,
    );
    expect((await signup(api, address, { email, password: 'correct horse battery' })).status).toBe(
      409,
    );
    expect((await signup(api, address, { email: 'not an email', password: 'x' })).status).toBe(400);
    const users = await app.sql('SELECT id FROM users');

    // Not even valid JSON: refused before the body is read.
    const refused = await signup(api, address, undefined, '{"email": ');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3500);
    expect(refused.body).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(
        /^Too many signups from this address; try again in \d+ seconds$/,
      ),
    });
    expect(await app.sql('SELECT id FROM users')).toEqual(users);

    const elsewhere = await signup(api, '203.0.113.8', {
      email: `other-${Date.now()}@example.com`,
      password: 'correct horse battery',
    });
    expect(elsewhere.status).toBe(201);
  });

  it('counts the signups of two instances together', async () => {
    const address = '203.0.113.20';
    for (const client of [api, twinApi, api]) {
      const response = await signup(client, address, { email: 'bad', password: 'x' });
      expect(response.status).toBe(400);
    }
    expect((await signup(twinApi, address, { email: 'bad', password: 'x' })).status).toBe(429);
  });

  it('groups IPv6 addresses by /64', async () => {
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2::abcd', '2001:db8:1:2:ffff::9']) {
      expect((await signup(api, address, { email: 'bad', password: 'x' })).status).toBe(400);
    }
    expect((await signup(api, '2001:db8:1:2::77', { email: 'bad', password: 'x' })).status).toBe(
      429,
    );
    expect((await signup(api, '2001:db8:1:3::1', { email: 'bad', password: 'x' })).status).toBe(
      400,
    );
  });
});

describe('GET /metrics with METRICS_TOKEN set', () => {
  it('answers 401 without the token or with another one, and the metrics with it', async () => {
    const warnings = vi.spyOn(Logger.prototype, 'warn');
    for (const authorization of [undefined, 'Bearer wrong-token', METRICS_TOKEN]) {
      const response = await fetch(`${app.baseUrl}/metrics`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await response.json()).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'GET /metrics requires the Bearer METRICS_TOKEN',
      });
    }
    // A refused scrape is no reason to warn anyone (Nest warned of its JSON body's Content-Type).
    expect(warnings).not.toHaveBeenCalled();
    warnings.mockRestore();
    const allowed = await fetch(`${app.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('scoreboard_pending_scores');
  });
});
