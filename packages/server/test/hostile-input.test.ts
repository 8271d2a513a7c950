import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { forgeToken } from './support/jwt';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * What attackers sent and the server must refuse with a 4xx in the error shape, never a 5xx, and
 * without storing anything: one test per kind of input.
 */
let app: TestApp;
let api: ApiClient;

/** REQUEST_BODY_TIMEOUT_MS here: short, so that a trickled body is cut soon. */
const BODY_TIMEOUT_MS = 1500;

beforeAll(async () => {
  app = await startTestApp('hostile_input', { REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS) });
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

const counts = async () =>
  (
    await app.sql<{ users: number; scores: number }>(
      `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM scores)::int AS scores`,
    )
  )[0];

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** Sends raw bytes with exactly the headers given (fetch would fix Content-Length). */
function rawRequest(
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: any }> {
  const url = new URL(path, app.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('hostile bodies', () => {
  it('refuses deeply nested JSON on signup, login and scores with 400', async () => {
    const { token } = await api.signup();
    const before = await counts();
    for (const [path, field] of [
      ['/api/auth/signup', 'email'],
      ['/api/auth/login', 'password'],
      ['/api/scores', 'value'],
    ] as const) {
      const response = await api.request('POST', path, {
        token,
        rawBody: `{"${field}": ${nested(5000)}}`,
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Request body is nested deeper than 16',
      });
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses NUL characters and lone surrogates in any string with 400', async () => {
    const login = await api.request('POST', '/api/auth/login', {
      body: { email: 'ada\u0000@example.com', password: 'whatever password' },
    });
    expect(login.status).toBe(400);
    expect(login.body.message).toBe('email must not contain NUL characters');

    const before = await counts();
    const signup = await api.request('POST', '/api/auth/signup', {
      rawBody: '{"email": "a\\ud800@example.com", "password": "correct horse battery"}',
    });
    expect(signup.status).toBe(400);
    expect(signup.body.message).toBe('email must be valid Unicode (it has a lone surrogate)');
    const named = await api.request('POST', '/api/auth/signup', {
      rawBody:
        '{"email": "b@example.com", "password": "correct horse battery", "display_name": "\\udc00x"}',
    });
    expect(named.status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('refuses __proto__, constructor and prototype keys as unknown fields and stores nothing', async () => {
    const { token } = await api.signup();
    const before = await counts();
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const response = await api.request('POST', '/api/scores', {
        token,
        rawBody: `{"value": 5, "idempotency_key": "k-${key}", "${key}": {"admin": true}}`,
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe(`${key} is not an allowed field`);
    }
    expect(await counts()).toEqual(before);
  });

  it('answers malformed JSON with 400 in our words', async () => {
    for (const rawBody of ['{"value": 5', '{"value": 5}}', 'nul', '\u0000']) {
      const response = await api.request('POST', '/api/auth/login', { rawBody });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'Request body is not valid JSON',
      });
    }
  });

  it('refuses a body declared larger than 16 KiB from its Content-Length alone, before reading it', async () => {
    const response = await rawRequest('/api/auth/signup', {
      'content-type': 'application/json',
      'content-length': String(100 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body is larger than 16 KiB',
    });
  });

  it('refuses a chunked body that turns out larger than 16 KiB with 413 in our words', async () => {
    const response = await rawRequest(
      '/api/auth/login',
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      JSON.stringify({ email: 'x'.repeat(20_000), password: 'y' }),
    );
    expect(response.status).toBe(413);
    expect(response.body.message).toBe('Request body is larger than 16 KiB');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await api.request('POST', '/api/auth/login', {
      rawBody: 'email=a@example.com&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'Content-Type must be application/json',
    });
  });
});

describe('requests the HTTP layer refuses', () => {
  it('refuses a compressed body with 415 instead of failing to decompress it', async () => {
    const response = await rawRequest(
      '/api/auth/login',
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      '{"email": "a@example.com", "password": "x"}',
    );
    expect(response.status).toBe(415);
    expect(response.body.message).toBe('Request bodies must not be compressed (Content-Encoding)');
  });

  it('answers a body trickled a byte at a time 408 in the error shape once REQUEST_BODY_TIMEOUT_MS has passed', async () => {
    const body = '{"email": "a@example.com", "password": "correct horse battery"}';
    const started = Date.now();
    const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = httpRequest(new URL('/api/auth/login', app.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      let sent = 0;
      // One byte every 100 ms: the body would take over six seconds to arrive.
      const trickle = setInterval(() => {
        if (sent < body.length - 1) req.write(body[sent++]!);
      }, 100);
      req.on('response', (res) => {
        clearInterval(trickle);
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', (error) => {
        clearInterval(trickle);
        reject(error);
      });
    });
    const tookMs = Date.now() - started;
    expect(answer).toEqual({
      status: 408,
      body: {
        statusCode: 408,
        error: 'Request Timeout',
        message: 'The request took too long to arrive',
      },
    });
    expect(tookMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
    expect(tookMs).toBeLessThan(BODY_TIMEOUT_MS + 2000);
  });

  it('answers headers over the parser’s limit with 431 in the error shape', async () => {
    const response = await fetch(`${app.baseUrl}/api/config`, {
      headers: { 'x-padding': 'x'.repeat(20_000) },
    });
    expect(response.status).toBe(431);
    expect(await response.json()).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'Request headers are larger than the server accepts',
    });
  });

  it('answers an unknown route or method without echoing the URL, and a bad percent-encoding with 400', async () => {
    const unknown = await api.request('PUT', '/api/me?%00junk');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('No such route (check the path and the method)');
    const { token } = await api.signup();
    const undecodable = await api.request('GET', '/api/me/scores/%E0%A4%A', { token });
    expect(undecodable.status).toBe(400);
    expect(undecodable.body.message).toBe(
      'The URL is not valid: a percent-encoded part does not decode',
    );
  });

  it('takes a login email that lowercases longer than it was (İ is two code points in lowercase)', async () => {
    const response = await api.request('POST', '/api/auth/login', {
      body: { email: 'İ'.repeat(200), password: 'whatever password' },
    });
    expect(response.status).toBe(401);
  });
});

describe('hostile query strings', () => {
  it.each(['0x10', '1e2', ' 5', '5.0', '+5', '1_0'])(
    'refuses limit=%j: integers are plain decimal digits',
    async (limit) => {
      const response = await api.request(
        'GET',
        `/api/leaderboard?limit=${encodeURIComponent(limit)}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.message).toBe('limit must be an integer');
    },
  );

  it('caps the leaderboard offset at 10,000 and says so in the API document', async () => {
    expect((await api.request('GET', '/api/leaderboard?offset=10000')).status).toBe(200);
    const deep = await api.request('GET', '/api/leaderboard?offset=10001');
    expect(deep.status).toBe(400);
    expect(deep.body.message).toBe('offset must be between 0 and 10000');
    const document = await api.request('GET', '/api/docs-json');
    const offset = document.body.paths['/api/leaderboard'].get.parameters.find(
      (parameter: any) => parameter.name === 'offset',
    );
    expect(offset.schema.maximum).toBe(10_000);
  });
});

describe('hostile tokens', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses a token without exp', async () => {
    const { user } = await api.signup();
    const token = forgeToken({ sub: user.id, iat: now() }, { secret: TEST_JWT_SECRET });
    const response = await api.request('GET', '/api/me/stats', { token });
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Invalid or expired token');
  });

  it('refuses a signed token whose sub is beyond the bigint range, without asking PostgreSQL', async () => {
    for (const sub of ['9223372036854775808', '99999999999999999999', '-1', '1e3']) {
      const token = forgeToken({ sub, exp: now() + 60 }, { secret: TEST_JWT_SECRET });
      const response = await api.request('GET', '/api/me/scores', { token });
      expect(response.status).toBe(401);
    }
  });

  it('refuses the token of an account that no longer exists on every route', async () => {
    const { token, user } = await api.signup();
    await app.sql('DELETE FROM users WHERE id = $1', [user.id]);
    for (const path of [
      '/api/me',
      '/api/me/stats',
      '/api/me/high-score',
      '/api/me/scores',
      '/api/leaderboard/me',
      '/api/stream',
    ]) {
      const response = await api.request('GET', path, { token });
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
    }
    expect((await api.submitScore(token, 5)).status).toBe(401);
  });
});

describe('the player count of the PostgreSQL leaderboard', () => {
  it('is maintained as players get their first score, and equals a count of them', async () => {
    const before = (await api.request('GET', '/api/leaderboard')).body.total_players;
    const players = await Promise.all(Array.from({ length: 3 }, () => api.signup()));
    for (const player of players) {
      await api.submitScore(player.token, 10);
      await api.submitScore(player.token, 20);
    }
    const total = await waitFor(
      async () => {
        const { total_players: total } = (await api.request('GET', '/api/leaderboard')).body;
        return total >= before + 3 ? total : undefined;
      },
      { what: 'the new players to be counted' },
    );
    const [row] = await app.sql<{ n: number }>('SELECT count(*)::int AS n FROM user_stats');
    expect(total).toBe(row!.n);
  });
});
