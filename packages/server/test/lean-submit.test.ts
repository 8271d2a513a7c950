import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/common/logger';
import { loadConfig } from '../src/config/app-config';
import { createHttpApp } from '../src/http-app';
import { ApiClient } from './support/api-client';
import { makeAdmin } from './support/cli';
import { forgeToken } from './support/jwt';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';
import { createTestDatabase, type TestDatabase } from './support/test-database';

/**
 * POST /api/scores is served past the middleware chain and Nest's pipeline (lean-submit.ts):
 * what those gave every route must still be there for it. Its answers are tested with the
 * route's other tests (scores, hostile input, fuzz, API keys); this file tests what they do not
 * see: the log line, the metric, the security headers, the token cache and the rate limit.
 */
let app: TestApp;
let api: ApiClient;
beforeAll(async () => {
  app = await startTestApp('lean_submit');
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

describe('the lean POST /api/scores', () => {
  it('writes one request line at info, as every route does, with its own request id', async () => {
    const database: TestDatabase = await createTestDatabase('lean_log');
    const lines: Array<Record<string, unknown>> = [];
    const output = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      SIGNUP_MAX_PER_HOUR: '0',
    });
    let logged: INestApplication | undefined;
    try {
      logged = await createHttpApp(config, createLogger(config, output));
      await logged.listen(0, '127.0.0.1');
      const { port } = logged.getHttpServer().address() as { port: number };
      const client = new ApiClient(`http://127.0.0.1:${port}`);
      const player = await client.signup();
      const accepted = await client.submitScore(player.token, 7);
      expect(accepted.status).toBe(201);
      const refused = await client.request('POST', '/api/scores', {
        token: player.token,
        body: { value: 'seven', idempotency_key: randomUUID() },
      });
      expect(refused.status).toBe(400);

      const requests = lines.filter((line) => line.req !== undefined);
      const submits = requests.filter(
        (line) => (line.req as { url: string }).url === '/api/scores',
      );
      expect(submits).toHaveLength(2);
      expect(submits[0]).toMatchObject({
        level: 30,
        req: { method: 'POST', url: '/api/scores' },
        res: { statusCode: 201 },
        scoreId: accepted.body.id,
      });
      expect(submits[0]!.msg).toMatch(/^POST \/api\/scores 201 \d+ ms$/);
      expect(typeof submits[0]!.responseTime).toBe('number');
      expect(submits[1]).toMatchObject({ level: 30, res: { statusCode: 400 } });
      expect(submits[1]!.msg).toMatch(/^POST \/api\/scores 400 \d+ ms$/);
      // The signup's line (pino-http's) and these share one numbering: no id twice.
      const ids = requests.map((line) => (line.req as { id: number }).id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(requests.length).toBeGreaterThanOrEqual(3);
    } finally {
      await logged?.close();
      await database.drop();
    }
  });

  it('counts its answers in the request-duration metric under the route’s pattern', async () => {
    const player = await api.signup();
    const count = async (status: string) => {
      const metrics = await api.request<string>('GET', '/metrics');
      const line = metrics.body
        .split('\n')
        .find((l) =>
          l.startsWith(
            `scoreboard_http_request_duration_seconds_count{method="POST",route="/api/scores",status="${status}"}`,
          ),
        );
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const [created, refused] = [await count('201'), await count('401')];
    expect((await api.submitScore(player.token, 1)).status).toBe(201);
    expect((await api.submitScore('not a token', 1)).status).toBe(401);
    expect(await count('201')).toBe(created + 1);
    expect(await count('401')).toBe(refused + 1);
  });

  it('carries the same security headers as every other route, on success and refusal', async () => {
    const player = await api.signup();
    const other = await api.request('GET', '/api/config');
    const helmetHeaders = [
      'content-security-policy',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'referrer-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
    ];
    for (const answer of [
      await api.submitScore(player.token, 2),
      await api.submitScore(player.token, 'two'),
      await api.request('POST', '/api/scores', { rawBody: '{"value":', token: player.token }),
    ]) {
      for (const name of helmetHeaders) {
        expect(answer.headers.get(name), name).toBe(other.headers.get(name));
      }
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('refuses a banned or deleted account on its next submission, although its token was verified a moment before', async () => {
    const admin = await api.signup();
    await makeAdmin(app, admin.email);
    const banned = await api.signup();
    const deleted = await api.signup();
    expect((await api.submitScore(banned.token, 3)).status).toBe(201);
    expect((await api.submitScore(deleted.token, 3)).status).toBe(201);

    const ban = await api.request('POST', `/api/admin/users/${banned.user.id}/ban`, {
      token: admin.token,
      body: { reason: 'cheating' },
    });
    expect(ban.status).toBe(200);
    const afterBan = await api.submitScore(banned.token, 4);
    expect(afterBan.status).toBe(403);
    expect(afterBan.body.message).toBe('Account suspended');

    const deletion = await api.request('DELETE', '/api/me', {
      token: deleted.token,
      body: { password: deleted.password },
    });
    expect(deletion.status).toBe(204);
    const afterDeletion = await api.submitScore(deleted.token, 4);
    expect(afterDeletion.status).toBe(401);
    expect(afterDeletion.body.message).toBe('Invalid or expired token');
  });

  it('keys the cache by the whole token: another token of the same player is verified on its own', async () => {
    const player = await api.signup();
    expect((await api.submitScore(player.token, 5)).status).toBe(201);
    const [header, payload] = player.token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    expect((await api.submitScore(forged, 5)).status).toBe(401);
    // Signed with another secret, for the same player and expiry.
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as {
      sub: string;
      exp: number;
    };
    const foreign = forgeToken(
      { sub: claims.sub, exp: claims.exp },
      { secret: 'another-secret-of-32-characters-or-more' },
    );
    expect((await api.submitScore(foreign, 5)).status).toBe(401);
  });

  it('leaves other spellings of the path to Nest’s route, which answers them alike', async () => {
    const player = await api.signup();
    const key = randomUUID();
    const lean = await api.submitScore(player.token, 9, key);
    expect(lean.status).toBe(201);
    for (const path of ['/api/scores/', '/api/Scores', '/api/scores?source=test']) {
      const replay = await api.request('POST', path, {
        token: player.token,
        body: { value: 9, idempotency_key: key },
      });
      expect(replay.status, path).toBe(201);
      expect(replay.headers.get('idempotent-replayed'), path).toBe('true');
      expect(replay.body, path).toEqual({ ...lean.body, message: 'Score already submitted' });
      const refused = await api.request('POST', path, {
        token: player.token,
        body: { value: 'x' },
      });
      expect(refused.body, path).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'value must be an integer',
        errors: [{ field: 'value', message: 'value must be an integer' }],
      });
    }
  });

  it('goes through Nest when RATE_LIMIT_PER_MINUTE is set, so that the limit counts it', async () => {
    const limited = await startTestApp('lean_rate', { RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const client = new ApiClient(limited.baseUrl);
      const player = await client.signup();
      // The throttler counts each route apart: three submissions, then a refusal.
      for (let i = 0; i < 3; i++)
        expect((await client.submitScore(player.token, 1)).status).toBe(201);
      const over = await client.submitScore(player.token, 1);
      expect(over.status).toBe(429);
      expect(over.body.message).toBe('Too many requests: the limit is 3 a minute');
    } finally {
      await limited.close();
    }
  });
});
