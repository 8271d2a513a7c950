import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiToTypeScript } from '../scripts/openapi-to-ts.mjs';
import { startServer } from '../scripts/server.mjs';
import { ScoreboardClient, login } from '../src/client.js';
import { ApiError } from '../src/errors.js';
import type { PeriodResultsPageDto } from '../src/generated/api.js';
import { FileStore } from '../src/file-store.js';
import type { QueueEvent } from '../src/queue.js';
import { startFlakyProxy, type FlakyProxy, type ProxyMode } from './support/flaky-proxy.js';
import { waitFor } from './support/wait-for.js';

/**
 * The SDK against the real server (the built packages/server as a process, over a fresh
 * PostgreSQL database), through a proxy that loses requests and answers.
 */
type Server = Awaited<ReturnType<typeof startServer>>;
const NO_FAULTS: ProxyMode = { dropAnswers: 0, dropRequests: 0, unavailable: 0, refuse: false };
let server: Server;
let adminToken: string;
const workDir = mkdtempSync(join(tmpdir(), 'scoreboard-sdk-it-'));

async function post<T = any>(path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer as T;
}

const signup = () =>
  post<{ access_token: string; user: { id: string } }>('/api/auth/signup', {
    email: `sdk-${randomUUID()}@example.com`,
    password: 'correct horse battery',
  });

beforeAll(async () => {
  server = await startServer();
  const email = `admin-${randomUUID()}@example.com`;
  adminToken = (await post('/api/auth/signup', { email, password: 'correct horse battery' }))
    .access_token;
  expect(await server.cli(['users', 'set-role', email, 'admin'])).toBe(0);
});
afterAll(async () => {
  await server?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('generated types', () => {
  it('are those of the OpenAPI document the server serves (else: npm run generate:types)', async () => {
    const document = await (await fetch(`${server.baseUrl}/api/docs-json`)).json();
    const committed = readFileSync(join(__dirname, '..', 'src', 'generated', 'api.ts'), 'utf8');
    expect(committed).toBe(openApiToTypeScript(document));
  });
});

describe('a player client', () => {
  it('submits, reads back, and looks up its keys', async () => {
    const { access_token } = await signup();
    const client = new ScoreboardClient({
      baseUrl: server.baseUrl,
      credentials: { token: () => access_token },
    });
    const outcomes: string[] = [];
    client.queue.on((event) => outcomes.push(event.type));
    const key = await client.submit({ value: 42 });
    await client.queue.whenEmpty();
    expect(outcomes).toEqual(['queued', 'accepted']);
    const lookup = await client.lookup([key, 'never-sent']);
    expect(lookup.items).toEqual([
      { idempotency_key: key, score: expect.objectContaining({ value: 42, board: 'global' }) },
      { idempotency_key: 'never-sent', score: null },
    ]);
    expect((await client.myScores()).items.map((score) => score.value)).toEqual([42]);
    expect((await client.boards()).items.map((board) => board.id)).toContain('global');
  });

  it('reports a refusal and does not send it again', async () => {
    const { access_token } = await signup();
    const client = new ScoreboardClient({
      baseUrl: server.baseUrl,
      credentials: { token: access_token },
    });
    const refusals: string[] = [];
    client.queue.on((event) => {
      if (event.type === 'refused') refusals.push(`${event.error.status} ${event.error.message}`);
    });
    await client.submit({ value: 1000 });
    await client.submit({ value: 5, board: 'no-such-board' });
    await client.queue.whenEmpty();
    expect(refusals).toEqual(['400 value must be between 0 and 100', '404 Board not found']);
  });

  it('follows the live stream and gets its own stats after a submission', async () => {
    const { access_token } = await signup();
    const client = new ScoreboardClient({
      baseUrl: server.baseUrl,
      credentials: { token: access_token },
    });
    const stats: any[] = [];
    const states: string[] = [];
    const stream = client.live({
      onEvent: (event) => event.type === 'stats' && stats.push(event.data),
      onState: (state) => states.push(state),
    });
    try {
      await waitFor('the stream to open', () => stats.length > 0);
      await client.submit({ value: 77 });
      await waitFor('stats with the score applied', () =>
        stats.some((body) => body.total_scores === 1 && body.high_score === 77),
      );
      expect(states.slice(0, 2)).toEqual(['connecting', 'open']);
    } finally {
      stream.close();
    }
  });
});

describe('a season', () => {
  it('ranks the players, keeps its results once final, and pays a reward exactly once', async () => {
    const board = `season-${randomUUID().slice(0, 8)}`;
    await post('/api/admin/boards', { id: board, name: 'Season', reset: 'daily' }, adminToken);
    const [ada, bob] = await Promise.all([signup(), signup()]);
    const player = (token: string) =>
      new ScoreboardClient({ baseUrl: server.baseUrl, credentials: { token } });
    const [adaClient, bobClient] = [player(ada.access_token), player(bob.access_token)];
    expect((await adaClient.setDisplayName('Ada')).display_name).toBe('Ada');
    await adaClient.submit({ board, value: 90 });
    await bobClient.submit({ board, value: 60 });
    await Promise.all([adaClient.queue.whenEmpty(), bobClient.queue.whenEmpty()]);
    await waitFor('both scores ranked', async () => {
      const standing = await bobClient.myStanding(board);
      return standing.rank === 2 && standing.players === 2;
    });
    expect(await bobClient.myStanding(board)).toMatchObject({ rank: 2, percentile: 100 });
    const friends = await bobClient.leaderboard(board, { users: [ada.user.id, bob.user.id] });
    expect(friends.items.map((e) => [e.rank, e.display_name, e.value])).toEqual([
      [1, 'Ada', 90],
      [2, expect.any(String), 60],
    ]);

    // The period ends (as its reset would end it), and a worker writes its results.
    const [{ id: period }] = await server.sql(
      `UPDATE board_periods SET ends_at = clock_timestamp()
        WHERE board_id = $1 AND starts_at <= now() AND (ends_at IS NULL OR ends_at > now())
        RETURNING id::text`,
      [board],
    );
    let results: PeriodResultsPageDto | undefined;
    await waitFor('the period to be final', async () => {
      try {
        results = await adaClient.periodResults(board, period);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return false;
        throw error;
      }
    });
    expect(results!.items.map((r) => [r.rank, r.user_id, r.value])).toEqual([
      [1, ada.user.id, 90],
      [2, bob.user.id, 60],
    ]);
    expect((await adaClient.periods(board)).items.map((p) => p.id)).toContain(period);

    const [placement] = (await adaClient.myResults({ claimed: false })).items;
    expect(placement).toMatchObject({ board, rank: 1, value: 90, claimed_at: null });
    // The game server claims for Ada, and so does Ada's own game: one of them is first.
    const key = await post<{ key: string }>(
      '/api/admin/api-keys',
      { name: 'season rewards', scopes: ['scores:write'] },
      adminToken,
    );
    const gameServer = new ScoreboardClient({
      baseUrl: server.baseUrl,
      credentials: { apiKey: key.key },
    });
    const claims = await Promise.all([
      gameServer.claim(placement!.id, ada.user.id),
      adaClient.claim(placement!.id),
      adaClient.claim(placement!.id),
    ]);
    expect(claims.filter((claim) => claim.first)).toHaveLength(1);
    expect(new Set(claims.map((claim) => claim.claimed_at)).size).toBe(1);
    expect((await adaClient.myResults({ claimed: false })).items).toEqual([]);
    expect((await adaClient.myResults({ claimed: true })).items).toHaveLength(1);
  });
});

describe('a restart after lost answers', () => {
  it('settles by lookup what the server stored, and sends only the rest', async () => {
    const { access_token, user } = await signup();
    const path = join(workDir, 'lost-answers.json');
    // Every answer is lost: the first submission is stored, and retried (replayed) unheard.
    const proxy = await startFlakyProxy(new URL(server.baseUrl), { ...NO_FAULTS, dropAnswers: 1 });
    const before = new ScoreboardClient({
      baseUrl: proxy.url,
      credentials: { token: access_token },
      store: new FileStore(path),
      queue: { backoff: { baseMs: 20, maxMs: 100 } },
    });
    const retries: number[] = [];
    before.queue.on((event) => event.type === 'retrying' && retries.push(event.attempt));
    for (const value of [1, 2, 3]) await before.submit({ value });
    const storedValues = async () =>
      (await server.sql('SELECT value FROM scores WHERE user_id = $1 ORDER BY id', [user.id])).map(
        (row) => row.value,
      );
    await waitFor(
      'the first to be stored and retried unheard',
      async () => retries.length >= 2 && (await storedValues()).length === 1,
      () => retries.length,
    );
    await before.queue.stop();
    await proxy.close();

    const after = new ScoreboardClient({
      baseUrl: server.baseUrl,
      credentials: { token: access_token },
      store: new FileStore(path),
    });
    const events: QueueEvent[] = [];
    after.queue.on((event) => events.push(event));
    await after.queue.start();
    await after.queue.whenEmpty();
    expect(
      events.map((event) => [event.type, 'submission' in event && event.submission.value]),
    ).toEqual([
      ['replayed', 1],
      ['accepted', 2],
      ['accepted', 3],
    ]);
    // The lookup's answer (the stored score, with its status), not a resubmission's.
    expect(events[0]).toMatchObject({ score: { value: 1, status: expect.any(String) } });
    expect(await storedValues()).toEqual([1, 2, 3]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([]);
  });
});

describe('the live stream', () => {
  it('reconnects after the connection breaks and the server refuses for a while', async () => {
    const { access_token } = await signup();
    const proxy = await startFlakyProxy(new URL(server.baseUrl), NO_FAULTS);
    const client = new ScoreboardClient({
      baseUrl: proxy.url,
      credentials: { token: access_token },
    });
    const states: string[] = [];
    const stats: any[] = [];
    const stream = client.live({
      onEvent: (event) => event.type === 'stats' && stats.push(event.data),
      onState: (state) => states.push(state),
      backoff: { baseMs: 20, maxMs: 200 },
    });
    try {
      await waitFor('the stream to open', () => states.includes('open'));
      proxy.mode = { ...NO_FAULTS, refuse: true };
      proxy.cut();
      await waitFor('two failed reconnections', () => proxy.counts.refused >= 2);
      proxy.mode = NO_FAULTS;
      await waitFor(
        'the stream to open again',
        () => states.filter((s) => s === 'open').length === 2,
      );
      expect(states.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(3);
      const before = stats.length;
      await client.submit({ value: 9 });
      await waitFor('stats over the new connection', () =>
        stats.slice(before).some((body) => body.high_score === 9),
      );
    } finally {
      stream.close();
      await proxy.close();
    }
    expect(states.at(-1)).toBe('closed');
  });

  it('asks for a new token when its token expires, and goes on with it', async () => {
    const shortLived = await startServer({ JWT_TTL: '2s' });
    try {
      const credentials = {
        email: `sdk-${randomUUID()}@example.com`,
        password: 'correct horse battery',
      };
      const response = await fetch(`${shortLived.baseUrl}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      let token = ((await response.json()) as { access_token: string }).access_token;
      let renewals = 0;
      const states: string[] = [];
      const client = new ScoreboardClient({
        baseUrl: shortLived.baseUrl,
        credentials: { token: () => token },
      });
      const stream = client.live({
        onEvent: () => undefined,
        onState: (state) => states.push(state),
        onTokenExpired: async () => {
          renewals += 1;
          token = (await login(shortLived.baseUrl, credentials)).access_token;
        },
      });
      try {
        await waitFor(
          'the stream to open with a renewed token',
          () => renewals >= 1 && states.filter((s) => s === 'open').length >= 2,
          () => states.length,
        );
      } finally {
        stream.close();
      }
    } finally {
      await shortLived.stop();
    }
  });
});

describe('a game server through a failing network, restarted twice', () => {
  const TOTAL = Number(process.env.SDK_CHAOS_SCORES ?? 2000);
  const REFUSE_MS = Number(process.env.SDK_CHAOS_REFUSE_MS ?? 10_000);
  const flaky: ProxyMode = {
    dropAnswers: 0.08,
    dropRequests: 0.04,
    unavailable: 0.03,
    refuse: false,
  };
  let proxy: FlakyProxy;
  afterAll(() => proxy?.close());

  type Run = { child: ChildProcess; output: string[]; exited: Promise<number | null> };

  function runGameServer(env: Record<string, string>): Run {
    const child = spawn(process.execPath, [join(__dirname, 'support', 'game-server.mjs')], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const output: string[] = [];
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      output.push(...lines);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { child, output, exited };
  }

  it('stores every intended score exactly once, loses none, and ends with an empty queue', async () => {
    const board = `sdk-${randomUUID().slice(0, 8)}`;
    await post(
      '/api/admin/boards',
      { id: board, name: board, score_min: 0, score_max: 1_000_000 },
      adminToken,
    );
    const { key } = await post(
      '/api/admin/api-keys',
      { name: 'SDK test', scopes: ['scores:write'], boards: [board] },
      adminToken,
    );
    const player = await signup();
    proxy = await startFlakyProxy(new URL(server.baseUrl), flaky, 20261206);
    const store = join(workDir, 'game-server-queue.json');
    const env = (from: number, to: number) => ({
      BASE_URL: proxy.url,
      API_KEY: key,
      USER_ID: player.user.id,
      BOARD: board,
      STORE: store,
      FROM: String(from),
      TO: String(to),
    });
    const storedCount = async () =>
      Number(
        (await server.sql('SELECT count(*) AS n FROM scores WHERE board_id = $1', [board]))[0].n,
      );
    const half = Math.floor(TOTAL / 2);

    // First run: queues the first half, is killed once about a third of it is stored.
    const first = runGameServer(env(0, half));
    await waitFor(
      'the first run to queue its half and store a third of it',
      async () => first.output.includes(`queued ${half}`) && (await storedCount()) >= half / 3,
      storedCount,
    );
    first.child.kill('SIGKILL');
    await first.exited;

    // Second run: resumes, queues the second half; the network then refuses everything, and it is
    // killed while it retries.
    const second = runGameServer(env(half, TOTAL));
    await waitFor(
      'the second run to queue its half and store past the first',
      async () => second.output.includes(`queued ${TOTAL}`) && (await storedCount()) >= half * 1.2,
      storedCount,
    );
    proxy.mode = { ...flaky, refuse: true };
    const refusedBefore = proxy.counts.refused;
    await waitFor(
      'the second run to meet refusals',
      () => proxy.counts.refused >= refusedBefore + 3,
    );
    second.child.kill('SIGKILL');
    await second.exited;

    // Third run: starts while the network still refuses, then runs until its queue is empty.
    const third = runGameServer(env(TOTAL, TOTAL));
    const refusedSince = Date.now();
    await waitFor(
      'the third run to meet refusals',
      () => proxy.counts.refused >= refusedBefore + 6,
    );
    await waitFor(
      `${REFUSE_MS} ms of refusals`,
      () => Date.now() - refusedSince >= REFUSE_MS,
      () => Date.now(),
    );
    proxy.mode = flaky;
    expect(await third.exited).toBe(0);

    const results = [first, second, third].flatMap((run) => run.output);
    expect(results.filter((line) => line.startsWith('refused'))).toEqual([]);
    const done = JSON.parse(third.output.find((line) => line.startsWith('done '))!.slice(5));
    const values = await server.sql(
      'SELECT value, count(*)::int AS n FROM scores WHERE board_id = $1 GROUP BY value ORDER BY value',
      [board],
    );
    expect(values.length).toBe(TOTAL);
    expect(values.filter((row) => row.n !== 1)).toEqual([]);
    expect(values.map((row) => row.value)).toEqual(Array.from({ length: TOTAL }, (_, n) => n));
    const owners = await server.sql(
      'SELECT DISTINCT user_id::text FROM scores WHERE board_id = $1',
      [board],
    );
    expect(owners).toEqual([{ user_id: player.user.id }]);
    expect(JSON.parse(readFileSync(store, 'utf8'))).toEqual([]);
    // The faults happened: answers were lost after the score was stored, and settled later.
    expect(proxy.counts.answersDropped).toBeGreaterThan(0);
    expect(proxy.counts.requestsDropped).toBeGreaterThan(0);
    expect(proxy.counts.unavailable).toBeGreaterThan(0);
    expect(done.replayed).toBeGreaterThan(0);
    const resumed = [second, third].map((run) => run.output.find((l) => l.startsWith('resumed')));
    const settled = results.filter((line) => line.startsWith('settled by lookup')).length;
    console.log(
      `${TOTAL} scores, 3 runs (2 killed): proxy ${JSON.stringify(proxy.counts)}; ` +
        `${resumed.join(', ')} after the restarts; ${settled} settled by lookup; ` +
        `last run ${JSON.stringify(done)}`,
    );
  }, 600_000);
});
