import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { runNode } from './support/processes';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/** SPEC section 2a over HTTP: boards, their rules, periods and standings, on one server. */
let app: TestApp;
let api: ApiClient;
let admin: { token: string; email: string };
let player: { token: string; user: { id: string } };

beforeAll(async () => {
  app = await startTestApp('boards', { SCORE_MIN: '0', SCORE_MAX: '100' });
  api = new ApiClient(app.baseUrl);
  admin = await api.signup();
  await cli(['users', 'set-role', admin.email, 'admin']);
  player = await api.signup();
});
afterAll(() => app.close());

async function cli(args: string[]): Promise<{ code: number | null; output: string }> {
  const run = runNode(
    'cli.js',
    { DATABASE_URL: app.config.databaseUrl!, DATA_DIR: app.config.dataDir },
    args,
  );
  const code = await run.exited;
  return { code, output: run.output() };
}

const createBoard = (body: Record<string, unknown>, token = admin.token) =>
  api.request('POST', '/api/admin/boards', { token, body });
const boardId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Waits until none of the player's scores is pending (the in-process worker applied them). */
const settled = () =>
  waitFor(
    async () =>
      (
        await app.sql<{ n: number }>(
          'SELECT count(*)::int AS n FROM scores WHERE applied_at IS NULL',
        )
      )[0]!.n === 0,
    { what: 'every score to be applied' },
  );

describe('the global board', () => {
  it('exists, with the configured range, desc, never resetting, in one open-ended period', async () => {
    const response = await api.request('GET', '/api/boards/global');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: 'global',
      name: 'Global',
      sort: 'desc',
      ranking: 'best',
      score_min: 0,
      score_max: 100,
      reset: 'never',
      timezone: 'UTC',
      authoritative: false,
      max_submissions_per_minute: 0,
      archived: false,
      display_format: 'integer',
      unit: null,
      created_at: expect.any(String),
      current_period: { id: expect.any(String), starts_at: expect.any(String), ends_at: null },
    });
    const list = await api.request('GET', '/api/boards');
    expect(list.body.items.map((board: { id: string }) => board.id)).toContain('global');
  });

  it('cannot be archived or given a reset', async () => {
    const archived = await api.request('PATCH', '/api/admin/boards/global', {
      token: admin.token,
      body: { archived: true },
    });
    expect(archived.status).toBe(400);
    expect(archived.body.message).toBe('the global board cannot be archived');
    const reset = await api.request('PATCH', '/api/admin/boards/global', {
      token: admin.token,
      body: { reset: 'daily' },
    });
    expect(reset.status).toBe(400);
  });

  it('answers 404 for a board that does not exist', async () => {
    const response = await api.request('GET', '/api/boards/no-such-board');
    expect(response.status).toBe(404);
    expect(response.body.message).toBe('Board not found');
  });
});

describe('admin routes', () => {
  it('answer 401 without a token and 403 for a player; GET /api/me shows the role', async () => {
    expect((await createBoard({ id: boardId('x'), name: 'X' }, '')).status).toBe(401);
    const forbidden = await createBoard({ id: boardId('x'), name: 'X' }, player.token);
    expect(forbidden.status).toBe(403);
    expect((await api.request('GET', '/api/me', { token: player.token })).body.role).toBe('player');
    expect((await api.request('GET', '/api/me', { token: admin.token })).body.role).toBe('admin');
  });

  it('creates a board with SPEC defaults, and refuses a taken id with 409', async () => {
    const id = boardId('defaults');
    const created = await createBoard({ id, name: 'Defaults' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id,
      name: 'Defaults',
      sort: 'desc',
      ranking: 'best',
      score_min: 0,
      score_max: 100,
      reset: 'never',
      timezone: 'UTC',
      authoritative: false,
      max_submissions_per_minute: 0,
      archived: false,
      display_format: 'integer',
      unit: null,
    });
    expect((await createBoard({ id, name: 'Again' })).status).toBe(409);
  });

  it('keeps a display format and a unit, changes them, and clears the unit with null', async () => {
    const id = boardId('display');
    const created = await createBoard({ id, name: 'Lap', display_format: 'duration:ms' });
    expect(created.body).toMatchObject({ display_format: 'duration:ms', unit: null });
    const path = `/api/admin/boards/${id}`;
    const patched = await api.request('PATCH', path, {
      token: admin.token,
      body: { display_format: 'decimal:2', unit: 'km' },
    });
    expect(patched.body).toMatchObject({ display_format: 'decimal:2', unit: 'km' });
    expect((await api.request('GET', `/api/boards/${id}`)).body).toMatchObject({ unit: 'km' });
    const cleared = await api.request('PATCH', path, { token: admin.token, body: { unit: null } });
    expect(cleared.body).toMatchObject({ display_format: 'decimal:2', unit: null });
  });

  it('names every problem of a board at once, and a non-number as not an integer', async () => {
    const both = await createBoard({
      id: boardId('two'),
      name: 'Two',
      reset: '61 * * * *',
      timezone: 'Mars/Base',
    });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((error: { field: string }) => error.field)).toEqual([
      'reset',
      'timezone',
    ]);
    const text = await createBoard({ id: boardId('text'), name: 'Text', score_min: 'x' });
    expect(text.body.message).toBe('score_min must be an integer');
  });

  it.each([
    [{ id: 'Upper', name: 'x' }, 'id'],
    [{ id: 'x'.repeat(65), name: 'x' }, 'id'],
    [{ id: 'ok-id', name: '' }, 'name'],
    [{ id: 'ok-id', name: 'x', sort: 'up' }, 'sort'],
    [{ id: 'ok-id', name: 'x', reset: 'hourly' }, 'reset'],
    [{ id: 'ok-id', name: 'x', reset: '0 0 * *' }, 'reset'],
    [{ id: 'ok-id', name: 'x', reset: '61 * * * *' }, 'reset'],
    [{ id: 'ok-id', name: 'x', timezone: 'Mars/Olympus' }, 'timezone'],
    [{ id: 'ok-id', name: 'x', score_min: 10, score_max: 5 }, 'score_max'],
    [{ id: 'ok-id', name: 'x', score_max: 2_000_000_000 }, 'score_max'],
    [{ id: 'ok-id', name: 'x', max_submissions_per_minute: -1 }, 'max_submissions_per_minute'],
    [{ id: 'ok-id', name: 'x', display_format: 'decimal:7' }, 'display_format'],
    [{ id: 'ok-id', name: 'x', display_format: 'duration' }, 'display_format'],
    [{ id: 'ok-id', name: 'x', unit: 'x'.repeat(17) }, 'unit'],
    [{ id: 'ok-id', name: 'x', unit: '' }, 'unit'],
  ])('refuses %j with 400 naming %s', async (body, field) => {
    const response = await createBoard(body);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it.each([
    ['*/0 * * * *', 'reset has a step of 0 in its minute field; a step is 1 or more'],
    ['0 0 30 2 *', 'reset never fires: no month it names has the day of month it names'],
    ['0 25 * * *', 'reset has 25 in its hour field, which takes 0 to 23'],
    ['0 0 * 5-2 *', 'reset has a backwards range (5-2) in its month field'],
  ])('refuses the cron %j in its own words: %s', async (reset, message) => {
    const response = await createBoard({ id: boardId('cron'), name: 'Cron', reset });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(message);
    expect(response.body.errors).toEqual([{ field: 'reset', message }]);
  });

  it('applies a new range to new submissions, and hides and closes an archived board', async () => {
    const id = boardId('patched');
    await createBoard({ id, name: 'Patched' });
    const patched = await api.request('PATCH', `/api/admin/boards/${id}`, {
      token: admin.token,
      body: { name: 'Renamed', score_min: 10, score_max: 20 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', score_min: 10, score_max: 20 });
    const low = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 5, idempotency_key: randomUUID(), board: id },
    });
    expect(low.status).toBe(400);
    expect(low.body.message).toBe('value must be between 10 and 20');

    const kept = randomUUID();
    const accepted = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 15, idempotency_key: kept, board: id },
    });
    expect(accepted.status).toBe(201);
    await api.request('PATCH', `/api/admin/boards/${id}`, {
      token: admin.token,
      body: { archived: true },
    });
    const list = await api.request('GET', '/api/boards');
    expect(list.body.items.map((board: { id: string }) => board.id)).not.toContain(id);
    const refused = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 15, idempotency_key: randomUUID(), board: id },
    });
    expect(refused.status).toBe(404);
    expect(refused.body.message).toBe('Board not found');
    // A replay answers with the original before any board rule is checked.
    const replay = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 99, idempotency_key: kept, board: id },
    });
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ id: accepted.body.id, message: 'Score already submitted' });
  });
});

describe('submitting to boards', () => {
  it('answers 404 for an unknown board and keeps keys unique per user across boards', async () => {
    const unknown = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 5, idempotency_key: randomUUID(), board: 'nope' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('Board not found');

    const id = boardId('keys');
    await createBoard({ id, name: 'Keys' });
    const key = randomUUID();
    const first = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 7, idempotency_key: key, board: id },
    });
    const onGlobal = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 8, idempotency_key: key },
    });
    expect(onGlobal.body).toMatchObject({ id: first.body.id, value: 7 });
    expect(onGlobal.headers.get('idempotent-replayed')).toBe('true');
    const mine = await api.request('GET', `/api/me/scores?board=${id}`, { token: player.token });
    expect(mine.body.items).toEqual([expect.objectContaining({ id: first.body.id, board: id })]);
  });

  it('ranks an ascending board lowest first, and names the lowest the best', async () => {
    const id = boardId('race');
    await createBoard({ id, name: 'Race', sort: 'asc', score_min: 1, score_max: 1000 });
    const [fast, slow] = [await api.signup(), await api.signup()];
    for (const [runner, times] of [
      [fast, [50, 30, 40]],
      [slow, [80, 90]],
    ] as const) {
      for (const value of times) {
        await api.request('POST', '/api/scores', {
          token: runner.token,
          body: { value, idempotency_key: randomUUID(), board: id },
        });
      }
    }
    await settled();
    const page = await api.request('GET', `/api/boards/${id}/leaderboard`);
    expect(page.body).toMatchObject({
      total_players: 2,
      period: { ends_at: null, final: false },
    });
    expect(page.body.items.map((item: any) => [item.rank, item.user_id, item.high_score])).toEqual([
      [1, fast.user.id, 30],
      [2, slow.user.id, 80],
    ]);
    const stats = await api.request('GET', `/api/me/stats?board=${id}`, { token: fast.token });
    expect(stats.body).toMatchObject({ total_scores: 3, high_score: 30, average: 40 });
    const high = await api.request('GET', `/api/me/high-score?board=${id}`, { token: fast.token });
    expect(high.body.value).toBe(30);
    const mine = await api.request('GET', `/api/boards/${id}/leaderboard/me?radius=1`, {
      token: slow.token,
    });
    expect(mine.body).toMatchObject({ rank: 2, period: { id: page.body.period.id } });
    const boards = await api.request('GET', '/api/me/boards', { token: fast.token });
    expect(boards.body.items).toEqual([
      {
        board: id,
        ranking: 'best',
        period: { id: page.body.period.id, starts_at: expect.any(String), ends_at: null },
        rank: 1,
        value: 30,
        best: 30,
        total_scores: 3,
        average: 40,
      },
    ]);
  });
});

describe('periods', () => {
  it('cuts a minute board at every minute, keeps past periods queryable, and makes them final', async () => {
    const id = boardId('minute');
    const created = await createBoard({ id, name: 'Minute', reset: '* * * * *' });
    const first = created.body.current_period;
    expect(new Date(first.ends_at).getUTCSeconds()).toBe(0);
    const stream = await EventStreamClient.open(app.baseUrl, player.token, `?boards=${id}`);
    await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 42, idempotency_key: randomUUID(), board: id },
    });
    // The next period begins when the first ends.
    await waitFor(async () => Date.now() >= new Date(first.ends_at).getTime(), {
      timeoutMs: 70_000,
      what: 'the minute to end',
    });
    const second = (await api.request('GET', `/api/boards/${id}`)).body.current_period;
    expect(second.id).not.toBe(first.id);
    expect(second.starts_at).toBe(first.ends_at);
    // Followers are told of the new, empty leaderboard without anyone scoring in it.
    const rolled = await stream.next('leaderboard', (data) => data.period.id === second.id);
    expect(rolled.data).toMatchObject({ board: id, items: [], total_players: 0 });
    await stream.close();
    await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 7, idempotency_key: randomUUID(), board: id },
    });
    await settled();

    const current = await api.request('GET', `/api/boards/${id}/leaderboard`);
    expect(current.body.items.map((item: any) => item.high_score)).toEqual([7]);
    const previous = await api.request('GET', `/api/boards/${id}/leaderboard?period=previous`);
    expect(previous.body).toMatchObject({
      period: { id: first.id, ends_at: first.ends_at, final: true },
      total_players: 1,
    });
    expect(previous.body.items.map((item: any) => item.high_score)).toEqual([42]);
    const byId = await api.request('GET', `/api/boards/${id}/leaderboard?period=${first.id}`);
    expect(byId.body.items).toEqual(previous.body.items);
    expect((await api.request('GET', `/api/boards/${id}/leaderboard?period=999999`)).status).toBe(
      404,
    );

    const periods = await api.request('GET', `/api/boards/${id}/periods`);
    expect(periods.body).toEqual({
      items: [
        {
          ...second,
          players: 1,
          final: false,
          top: [expect.objectContaining({ rank: 1, high_score: 7 })],
        },
        {
          ...first,
          players: 1,
          final: true,
          top: [expect.objectContaining({ rank: 1, high_score: 42 })],
        },
      ],
      next_cursor: null,
    });
    const older = await api.request('GET', `/api/me/stats?board=${id}&period=previous`, {
      token: player.token,
    });
    expect(older.body).toMatchObject({ total_scores: 1, high_score: 42 });
  }, 120_000);
});

describe('changing a schedule', () => {
  it('ends the open period of a board that never reset at the new schedule’s next fire time', async () => {
    const id = boardId('schedule');
    const created = await createBoard({ id, name: 'Schedule' });
    expect(created.body.current_period.ends_at).toBeNull();
    const patched = await api.request('PATCH', `/api/admin/boards/${id}`, {
      token: admin.token,
      body: { reset: 'daily', timezone: 'Asia/Tokyo' },
    });
    expect(patched.status).toBe(200);
    const { current_period: period } = patched.body;
    expect(period.id).toBe(created.body.current_period.id);
    // Local midnight in Tokyo (UTC+9, no daylight saving) is 15:00 UTC.
    expect(period.ends_at).toMatch(/T15:00:00\.000Z$/);
    expect(new Date(period.ends_at).getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
  });
});

describe('reconcile', () => {
  it('finds every standing of every board and period equal to its recomputation', async () => {
    await settled();
    const report = await cli(['reconcile']);
    expect(report.output).toContain('No drift');
    expect(report.code).toBe(0);
  });
});

describe('users set-role', () => {
  it('records the change in the audit log, and fails for an unknown email', async () => {
    const someone = await api.signup();
    expect((await cli(['users', 'set-role', someone.email, 'admin'])).code).toBe(0);
    const [entry] = await app.sql(
      `SELECT actor_id, action, target, reason FROM audit_log WHERE target = $1`,
      [`user:${someone.user.id}`],
    );
    expect(entry).toEqual({
      actor_id: null,
      action: 'users.set-role',
      target: `user:${someone.user.id}`,
      reason: 'set to admin from the command line',
    });
    const unknown = await cli(['users', 'set-role', 'nobody@example.com', 'admin']);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('No user has the email nobody@example.com');
  });
});
