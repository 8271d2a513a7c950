import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { PrivateRedis, runNode, type NodeProcess } from './support/processes';
import { startTestApp, startWorkerProcess, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * Boards with the distributed pipeline: an API in this process, worker processes started when a
 * test wants them, a private Redis. A score belongs to the period it was accepted in however late
 * it is applied; a player hears of their own rank changes on the boards they follow.
 */
let redis: PrivateRedis;
let app: TestApp;
let api: ApiClient;
let admin: { token: string; email: string };
const workers: NodeProcess[] = [];

beforeAll(async () => {
  redis = await PrivateRedis.start();
  app = await startTestApp('boards_pipeline', {
    ROLE: 'api',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    SWEEP_DELAY_MS: '500',
    LOG_LEVEL: 'error',
  });
  api = new ApiClient(app.baseUrl);
  admin = await api.signup();
  const promote = runNode(
    'cli.js',
    { DATABASE_URL: app.config.databaseUrl!, DATA_DIR: app.config.dataDir },
    ['users', 'set-role', admin.email, 'admin'],
  );
  expect(await promote.exited).toBe(0);
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
});
afterAll(async () => {
  await app.close();
  await redis.stop();
});

async function startWorker(): Promise<NodeProcess> {
  const worker = await startWorkerProcess(app, { SWEEP_DELAY_MS: '500', SWEEP_INTERVAL_MS: '200' });
  workers.push(worker);
  return worker;
}

async function createBoard(body: Record<string, unknown>) {
  const created = await api.request('POST', '/api/admin/boards', { token: admin.token, body });
  expect(created.status).toBe(201);
  return created.body;
}

const submit = (token: string, board: string, value: number) =>
  api.request('POST', '/api/scores', {
    token,
    body: { value, idempotency_key: randomUUID(), board },
  });

const pending = async () =>
  (
    await app.sql<{ n: number }>('SELECT count(*)::int AS n FROM scores WHERE applied_at IS NULL')
  )[0]!.n;

describe('a score applied after its period ended', () => {
  it('counts in the period it was accepted in, not in the one current when it is applied', async () => {
    const board = await createBoard({
      id: `late-${randomUUID().slice(0, 8)}`,
      name: 'Late',
      reset: '* * * * *',
    });
    const player = await api.signup();
    // No worker runs: the score is accepted and stays pending.
    const accepted = await submit(player.token, board.id, 77);
    expect(accepted.status).toBe(201);
    const [row] = await app.sql<{ period_id: string }>(
      'SELECT period_id::text FROM scores WHERE id = $1',
      [accepted.body.id],
    );
    expect(row!.period_id).toBe(board.current_period.id);
    await waitFor(async () => Date.now() > new Date(board.current_period.ends_at).getTime(), {
      timeoutMs: 70_000,
      what: 'the period to end',
    });
    // Ended, but a score of it is pending: not final yet.
    const before = await api.request('GET', `/api/boards/${board.id}/leaderboard?period=previous`);
    expect(before.body.period).toMatchObject({ id: board.current_period.id, final: false });

    await startWorker();
    await waitFor(async () => (await pending()) === 0, { what: 'the late score to be applied' });
    const previous = await api.request(
      'GET',
      `/api/boards/${board.id}/leaderboard?period=previous`,
    );
    expect(previous.body).toMatchObject({
      period: { id: board.current_period.id, final: true },
      total_players: 1,
    });
    expect(previous.body.items.map((item: any) => item.high_score)).toEqual([77]);
    const current = await api.request('GET', `/api/boards/${board.id}/leaderboard`);
    expect(current.body.total_players).toBe(0);
  }, 150_000);
});

describe('live updates by board', () => {
  it('sends the followed boards’ leaderboards with board and period, and a rank event when the player’s own score moves them', async () => {
    await startWorker();
    const board = await createBoard({ id: `live-${randomUUID().slice(0, 8)}`, name: 'Live' });
    const [me, rival] = [await api.signup(), await api.signup()];
    const stream = await EventStreamClient.open(
      app.baseUrl,
      me.token,
      `?boards=global,${board.id}`,
    );
    try {
      await stream.next('leaderboard', (data) => data.board === board.id);
      await stream.next('leaderboard', (data) => data.board === 'global');

      expect((await submit(me.token, board.id, 50)).status).toBe(201);
      const first = await stream.next('rank', (data) => data.board === board.id);
      expect(first.data).toEqual({
        board: board.id,
        period: board.current_period.id,
        rank: 1,
        previous_rank: null,
      });
      const top = await stream.next(
        'leaderboard',
        (data) => data.board === board.id && data.items.length === 1,
      );
      expect(top.data.period).toEqual(board.current_period);

      // A rival passing me moves my rank, but not because of my own score: no event for me.
      expect((await submit(rival.token, board.id, 90)).status).toBe(201);
      await stream.next(
        'leaderboard',
        (data) => data.board === board.id && data.items[0]?.user_id === rival.user.id,
      );
      expect((await submit(me.token, board.id, 95)).status).toBe(201);
      const second = await stream.next(
        'rank',
        (data) => data.rank === 1 && data.previous_rank === 2,
      );
      expect(second.data).toMatchObject({ board: board.id, rank: 1, previous_rank: 2 });
      expect(stream.events.filter((event) => event.type === 'rank')).toHaveLength(2);
    } finally {
      await stream.close();
    }
  });

  it('refuses to follow more than 10 boards, or one that does not exist', async () => {
    const { token } = await api.signup();
    const eleven = Array.from({ length: 11 }, (_, i) => `b${i}`).join(',');
    const tooMany = await api.request('GET', `/api/stream?boards=${eleven}`, { token });
    expect(tooMany.status).toBe(400);
    const unknown = await api.request('GET', '/api/stream?boards=global,nope', { token });
    expect(unknown.status).toBe(404);
  });
});
