import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveUpdatesService } from '../src/live/live-updates.service';
import { StreamAdmission } from '../src/live/stream-admission';
import { UpdatesBus } from '../src/live/updates-bus';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { forgeToken } from './support/jwt';
import { freePort, runNode, type NodeProcess } from './support/processes';
import { REDIS_TOPOLOGIES, startTestRedis, type TestRedis } from './support/redis-cluster';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app';
import { waitFor, waitForProcess } from './support/wait-for';

/** GET /api/stream limits (SPEC section 2): per user, per process, token lifetime; and pushes. */

/** Waits are on events and states, not on time: the per-test limit is a backstop. */
const TEST_TIMEOUT_MS = 3 * 60_000;
const START_TIMEOUT_MS = 4 * 60_000;

const streams: EventStreamClient[] = [];
async function open(baseUrl: string, token: string): Promise<EventStreamClient> {
  const stream = await EventStreamClient.open(baseUrl, token);
  streams.push(stream);
  return stream;
}
/** Opens a stream that must be admitted, and waits for its first event. */
async function openLive(baseUrl: string, token: string): Promise<EventStreamClient> {
  const stream = await open(baseUrl, token);
  expect(stream.status).toBe(200);
  await stream.next('stats');
  return stream;
}
async function closeAll(): Promise<void> {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
}

/** A stream request that must be refused: its status, Retry-After and error body. */
async function refusal(baseUrl: string, token: string) {
  const response = await fetch(`${baseUrl}/api/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
  };
}

const tooManyForUser = {
  status: 429,
  retryAfter: '10',
  body: {
    statusCode: 429,
    error: 'Too Many Requests',
    message: 'At most 5 live streams per account may be open; close one and try again',
  },
};

/** A slot is freed once the server has seen a stream go: retries until a stream is admitted. */
const openOnceFreed = (baseUrl: string, token: string) =>
  waitFor(
    async () => {
      const stream = await open(baseUrl, token);
      if (stream.status === 200) return stream;
      await stream.close();
      return undefined;
    },
    { what: 'a stream slot to be freed' },
  );

describe('one instance without Redis', { timeout: TEST_TIMEOUT_MS }, () => {
  let app: TestApp;
  let api: ApiClient;
  let capped: TestApp;

  beforeAll(async () => {
    app = await startTestApp('stream_limits', { LOG_LEVEL: 'error' });
    capped = await startTestApp(
      'stream_limits',
      { LOG_LEVEL: 'error', STREAM_MAX_CONNECTIONS: '2' },
      app,
    );
    api = new ApiClient(app.baseUrl);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await closeAll();
    await capped?.close();
    await app?.close();
  });

  it('admits five streams per user, answers the sixth with 429, and admits again once one closes', async () => {
    const { token } = await api.signup();
    const five = await Promise.all(Array.from({ length: 5 }, () => openLive(app.baseUrl, token)));
    expect(await refusal(app.baseUrl, token)).toEqual(tooManyForUser);

    // Another user is not affected.
    const other = await api.signup();
    await openLive(app.baseUrl, other.token);

    await five[0]!.close();
    const again = await openOnceFreed(app.baseUrl, token);
    await again.next('stats');
    expect(await refusal(app.baseUrl, token)).toEqual(tooManyForUser);
    await closeAll();
  });

  it('answers 503 with Retry-After beyond STREAM_MAX_CONNECTIONS in one process', async () => {
    const [a, b, c] = await Promise.all([api.signup(), api.signup(), api.signup()]);
    const first = await openLive(capped.baseUrl, a.token);
    await openLive(capped.baseUrl, b.token);
    expect(await refusal(capped.baseUrl, c.token)).toEqual({
      status: 503,
      retryAfter: '5',
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'This server has too many live streams open; reconnect shortly',
      },
    });
    await first.close();
    await (await openOnceFreed(capped.baseUrl, c.token)).next('stats');
    await closeAll();
  });

  it('sends `expired` and ends the stream when its token expires, and frees its slot', async () => {
    const { user } = await api.signup();
    const admission = app.app.get(StreamAdmission);
    // Signed as the server signs its tokens, but expiring a few seconds from now.
    const now = Math.floor(Date.now() / 1000);
    const token = forgeToken({ sub: user.id, iat: now, exp: now + 4 }, { secret: TEST_JWT_SECRET });
    const stream = await open(app.baseUrl, token);
    expect(stream.status).toBe(200);
    const expired = await stream.next('expired');
    expect(expired.data).toEqual({ message: 'Token expired; sign in again' });
    await expect(stream.next('after expired', () => false)).rejects.toThrow(
      /before the server closed the stream/,
    );
    expect(stream.events.at(-1)).toBe(expired);
    await waitFor(() => admission.openStreams === 0, { what: 'the stream’s slot to be freed' });
    expect((await refusal(app.baseUrl, token)).status).toBe(401);
  });

  it('sends stats to the streams of their user only, each of them', async () => {
    const [a, b] = await Promise.all([api.signup(), api.signup()]);
    const aStreams = [await openLive(app.baseUrl, a.token), await openLive(app.baseUrl, a.token)];
    const bStream = await openLive(app.baseUrl, b.token);
    expect((await api.submitScore(a.token, 40)).status).toBe(201);
    await Promise.all(aStreams.map((s) => s.next('stats', (data) => data.total_scores === 1)));
    expect((await api.submitScore(b.token, 60)).status).toBe(201);
    await bStream.next('stats', (data) => data.total_scores === 1);

    const statsOwners = (stream: EventStreamClient) =>
      new Set(stream.events.filter((e) => e.type === 'stats').map((e) => e.data.user_id));
    expect(aStreams.map(statsOwners)).toEqual([new Set([a.user.id]), new Set([a.user.id])]);
    expect(statsOwners(bStream)).toEqual(new Set([b.user.id]));
    await closeAll();
  });
});

/** An app of its own, where nothing but this test moves the leaderboard. */
describe('leaderboard pushes', { timeout: TEST_TIMEOUT_MS }, () => {
  let app: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    app = await startTestApp('stream_pushes', { LOG_LEVEL: 'error' });
    api = new ApiClient(app.baseUrl);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await closeAll();
    await app?.close();
  });

  it('coalesces a burst of leaderboard updates into few reads of the top 10, and misses no change', async () => {
    const live = app.app.get(LiveUpdatesService);
    const bus = app.app.get(UpdatesBus);
    const watcher = await api.signup();
    const stream = await openLive(app.baseUrl, watcher.token);
    await stream.next('leaderboard');
    const readsBefore = live.leaderboardReads;
    const pushesBefore = stream.events.filter((e) => e.type === 'leaderboard').length;

    for (let i = 0; i < 100; i++) void bus.publish({ type: 'leaderboard', boardId: 'global' });
    // Then a real change, announced by the worker once applied: a read must follow it.
    const newcomer = await api.signup();
    expect((await api.submitScore(newcomer.token, 100)).status).toBe(201);
    await stream.next(
      'leaderboard',
      (data) => data.items.some((item: any) => item.user_id === newcomer.user.id),
      60_000,
    );

    // 101 updates: one read at once, then at most one per window (see Coalescer). Wherever the
    // worker's update falls, that is at most three reads.
    const reads = live.leaderboardReads - readsBefore;
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(3);
    const pushes = stream.events.filter((e) => e.type === 'leaderboard').length - pushesBefore;
    expect(pushes).toBeLessThanOrEqual(reads);
    await closeAll();
  });
});

describe.each(REDIS_TOPOLOGIES)(
  'several instances over Redis (%s)',
  { timeout: TEST_TIMEOUT_MS },
  (topology) => {
    let redis: TestRedis;
    let first: TestApp;
    let second: TestApp;
    let api: ApiClient;
    let prefix: string;
    const processes: NodeProcess[] = [];

    beforeAll(async () => {
      redis = await startTestRedis(topology);
      prefix = `test-${randomUUID()}:`;
      const env = { ...redis.env, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'error' };
      first = await startTestApp('stream_limits_redis', env);
      second = await startTestApp('stream_limits_redis', { ...env, ROLE: 'api' }, first);
      api = new ApiClient(first.baseUrl);
    }, START_TIMEOUT_MS);
    afterAll(async () => {
      await closeAll();
      for (const child of processes) await child.stop('SIGKILL');
      await second?.close();
      await first?.close();
      await redis?.destroy();
    });

    it('counts a user’s streams across instances', async () => {
      const { token } = await api.signup();
      await Promise.all(Array.from({ length: 3 }, () => openLive(first.baseUrl, token)));
      const onSecond = await Promise.all([
        openLive(second.baseUrl, token),
        openLive(second.baseUrl, token),
      ]);
      expect(await refusal(first.baseUrl, token)).toEqual(tooManyForUser);
      expect(await refusal(second.baseUrl, token)).toEqual(tooManyForUser);

      await onSecond[0]!.close();
      await (await openOnceFreed(first.baseUrl, token)).next('stats');
      expect(await refusal(second.baseUrl, token)).toEqual(tooManyForUser);
      await closeAll();
    });

    it('lets the streams of an instance that died lapse, instead of holding their slots for good', async () => {
      const port = await freePort();
      const doomed = runNode('main.js', {
        ROLE: 'api',
        PORT: String(port),
        DATABASE_URL: first.config.databaseUrl!,
        ...redis.env,
        REDIS_KEY_PREFIX: prefix,
        DATA_DIR: first.config.dataDir,
        JWT_SECRET: first.config.jwtSecret,
      });
      processes.push(doomed);
      const doomedUrl = `http://127.0.0.1:${port}`;
      await waitForProcess(doomed, `${doomedUrl}/api/health/live`, {
        what: 'a third instance to start',
        timeoutMs: START_TIMEOUT_MS,
      });
      const { token, user } = await api.signup();
      await Promise.all(Array.from({ length: 5 }, () => openLive(doomedUrl, token)));
      await doomed.stop('SIGKILL');
      await closeAll(); // their connections are gone with the process

      // Its leases still count, each for at most the lease time (45 s) without renewal...
      expect(await refusal(first.baseUrl, token)).toEqual(tooManyForUser);
      const key = `${prefix}stream-leases:${user.id}`;
      const [ttl, [seconds, micros], leases] = await redis.command((client) =>
        Promise.all([client.pttl(key), client.time(), client.zrange(key, 0, -1, 'WITHSCORES')]),
      );
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(45_000);
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const expiries = leases.filter((_, i) => i % 2 === 1).map(Number);
      expect(expiries).toHaveLength(5);
      for (const expiry of expiries) expect(expiry).toBeLessThanOrEqual(now + 45_000);

      // ...and once they have lapsed (their expiry moved to the past here), the slots are free.
      await redis.command((client) =>
        client.zadd(key, ...leases.filter((_, i) => i % 2 === 0).flatMap((id) => [now - 1, id])),
      );
      await (await openOnceFreed(first.baseUrl, token)).next('stats');
      await closeAll();
    });

    it('keeps admitting streams, counted per process, while Redis is unreachable', async () => {
      const { token } = await api.signup();
      await redis.stop();
      try {
        await Promise.all(Array.from({ length: 5 }, () => openLive(first.baseUrl, token)));
        expect(await refusal(first.baseUrl, token)).toEqual(tooManyForUser);
        await openLive(second.baseUrl, token);
        await closeAll();
      } finally {
        await redis.start();
      }
    });
  },
);
