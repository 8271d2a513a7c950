import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaderboardStore } from '../src/leaderboard/leaderboard-store';
import { ProcessingRepository } from '../src/processing/processing.repository';
import { Reconciler } from '../src/processing/reconciler';
import { DataSource } from 'typeorm';
import { ApiClient } from './support/api-client';
import { makeAdmin } from './support/cli';
import { EventStreamClient } from './support/event-stream';
import { allScoresApplied, startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * Ranking models (SPEC section 2c): best, latest, sum and count boards, each checked against a
 * model computed here from the accepted scores; latest by acceptance time whatever the apply
 * order; removals and bans recomputing each exactly; score metadata; ranks for a list of players;
 * percentiles; renames. Twice: with leaderboards in PostgreSQL only, then in Redis (the shared
 * server, under a key prefix of this run's own), whose order must be PostgreSQL's to the
 * microsecond.
 */
type Ranking = 'best' | 'latest' | 'sum' | 'count';
type Player = { token: string; email: string; user: { id: string; display_name: string } };
type Accepted = { id: string; userId: string; value: number; createdAt: string };
type Entry = {
  rank: number;
  user_id: string;
  display_name: string;
  value: number;
  high_score: number;
  achieved_at: string;
  metadata?: Record<string, unknown>;
};

const TEST_TIMEOUT_MS = 4 * 60_000;

/** What the leaderboard must be, from the counted scores: SPEC's order, computed plainly. */
function modelRanking(
  ranking: Ranking,
  sort: 'asc' | 'desc',
  scores: Accepted[],
): Array<{ userId: string; value: number; best: number; achievedAt: string }> {
  const better = (a: number, b: number) => (sort === 'desc' ? a > b : a < b);
  const byUser = new Map<string, Accepted[]>();
  for (const score of scores)
    byUser.set(score.userId, [...(byUser.get(score.userId) ?? []), score]);
  const standings = [...byUser].map(([userId, own]) => {
    const accepted = [...own].sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || Number(BigInt(a.id) - BigInt(b.id)),
    );
    let best = accepted[0]!;
    for (const score of accepted) if (better(score.value, best.value)) best = score;
    const latest = accepted[accepted.length - 1]!;
    const value =
      ranking === 'best'
        ? best.value
        : ranking === 'latest'
          ? latest.value
          : ranking === 'sum'
            ? accepted.reduce((total, score) => total + score.value, 0)
            : accepted.length;
    const achievedAt = ranking === 'best' ? best.createdAt : latest.createdAt;
    return { userId, value, best: best.value, achievedAt };
  });
  return standings.sort(
    (a, b) =>
      (a.value === b.value ? 0 : better(a.value, b.value) ? -1 : 1) ||
      a.achievedAt.localeCompare(b.achievedAt) ||
      Number(BigInt(a.userId) - BigInt(b.userId)),
  );
}

describe.each([
  ['PostgreSQL', {}],
  ['Redis', { REDIS_URL: 'redis://127.0.0.1:6379' }],
] as const)('ranking models, leaderboards in %s', (store, env) => {
  let app: TestApp;
  let api: ApiClient;
  let admin: Player;
  let players: Player[];

  beforeAll(async () => {
    app = await startTestApp('ranking_models', {
      ...env,
      REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
      WORKER_BATCH_SIZE: '7',
      SWEEP_DELAY_MS: '500',
      SCORE_MAX: '1000',
    });
    api = new ApiClient(app.baseUrl);
    admin = await api.signup();
    await makeAdmin(app, admin.email);
    players = await Promise.all([1, 2, 3, 4, 5].map((i) => api.signup({ display_name: `P${i}` })));
  }, TEST_TIMEOUT_MS);
  afterAll(() => app?.close());

  async function createBoard(ranking: Ranking, body: Record<string, unknown> = {}) {
    const id = `${ranking}-${randomUUID().slice(0, 8)}`;
    const created = await api.request('POST', '/api/admin/boards', {
      token: admin.token,
      body: { id, name: id, ranking, score_min: -1000, score_max: 1000, ...body },
    });
    expect(created.status).toBe(201);
    expect(created.body.ranking).toBe(ranking);
    return id;
  }

  async function submit(
    player: Player,
    board: string,
    value: number,
    extra: Record<string, unknown> = {},
  ): Promise<Accepted> {
    const response = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value, idempotency_key: randomUUID(), board, ...extra },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return {
      id: response.body.id,
      userId: player.user.id,
      value,
      createdAt: await createdAtMicros(response.body.id),
    };
  }

  /** The exact acceptance time (the answer's ISO string has milliseconds only). */
  async function createdAtMicros(scoreId: string): Promise<string> {
    const [row] = await app.sql<{ us: string }>(
      `SELECT lpad(((extract(epoch FROM created_at) * 1000000)::bigint)::text, 17, '0') AS us
         FROM scores WHERE id = $1`,
      [scoreId],
    );
    return row!.us;
  }

  /** The leaderboard as served; with Redis, once the worker has recorded every standing. */
  async function leaderboard(board: string, query = 'limit=100'): Promise<Entry[]> {
    await allScoresApplied(app);
    const page = await api.request('GET', `/api/boards/${board}/leaderboard?${query}`);
    expect(page.status).toBe(200);
    return page.body.items;
  }

  /** Served entries against the model: order, ranks, value, best and time reached. */
  async function expectModel(
    board: string,
    ranking: Ranking,
    sort: 'asc' | 'desc',
    scores: Accepted[],
  ) {
    const expected = modelRanking(ranking, sort, scores);
    await waitFor(
      async () =>
        JSON.stringify((await leaderboard(board)).map((e) => [e.user_id, e.value])) ===
        JSON.stringify(expected.map((e) => [e.userId, e.value])),
      { what: `the ${ranking} board to rank as its model`, timeoutMs: 30_000 },
    ).catch(() => undefined); // the assertion below shows the difference
    const entries = await leaderboard(board);
    expect(entries.map((e) => [e.rank, e.user_id, e.value, e.high_score])).toEqual(
      expected.map((e, i) => [i + 1, e.userId, e.value, e.best]),
    );
    return entries;
  }

  it(
    'ranks best, latest, sum and count boards, on either sort, exactly as their model',
    async () => {
      // A random workload, the same on every board: five players, values with many ties.
      const workload = fc.sample(
        fc.array(fc.tuple(fc.nat(4), fc.integer({ min: -3, max: 3 })), {
          minLength: 25,
          maxLength: 25,
        }),
        { numRuns: 1, seed: 20261206 },
      )[0]!;
      for (const [ranking, sort] of [
        ['best', 'desc'],
        ['best', 'asc'],
        ['latest', 'desc'],
        ['sum', 'desc'],
        ['sum', 'asc'],
        ['count', 'desc'],
      ] as const) {
        const board = await createBoard(ranking, { sort });
        const accepted: Accepted[] = [];
        // In bursts, so that several scores of one player meet in one apply batch.
        for (let i = 0; i < workload.length; i += 5) {
          accepted.push(
            ...(await Promise.all(
              workload.slice(i, i + 5).map(([p, v]) => submit(players[p]!, board, v * 10)),
            )),
          );
        }
        await expectModel(board, ranking, sort, accepted);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it('orders as PostgreSQL does to the microsecond, and sums past 2^53 exactly', async () => {
    const board = await createBoard('sum');
    const [p1, p2, p3] = players;
    for (const player of [p1, p2, p3]) await submit(player!, board, 7);
    await allScoresApplied(app);
    // Totals no test could submit, one microsecond apart within one millisecond: a double holds
    // 2^53 + 1 as 2^53, and milliseconds cannot tell these times apart.
    for (const [player, sum, at] of [
      [p1, '9007199254740993', '2026-01-01T00:00:00.000002Z'],
      [p2, '9007199254740992', '2026-01-01T00:00:00.000000Z'],
      [p3, '9007199254740993', '2026-01-01T00:00:00.000001Z'],
    ] as const) {
      await app.sql(
        `UPDATE user_stats SET sum_scores = $3, latest_at = $4, version = version + 1
          WHERE board_id = $1 AND user_id = $2`,
        [board, player!.user.id, sum, at],
      );
    }
    const expected = [p3, p1, p2].map((p) => p!.user.id);
    const [postgres] = await app.sql<{ order: string[] }>(
      `SELECT array_agg(user_id::text ORDER BY rank_score, achieved_at, user_id) AS order
         FROM user_stats WHERE board_id = $1 AND ranked`,
      [board],
    );
    expect(postgres!.order).toEqual(expected);
    if (store === 'Redis') {
      // Rebuilt from PostgreSQL, as after a lost Redis.
      const [period] = await app.sql<{ id: string }>(
        `SELECT id::text FROM board_periods WHERE board_id = $1`,
        [board],
      );
      const key = { boardId: board, periodId: period!.id };
      const leaderboards = app.app.get(LeaderboardStore);
      await leaderboards.invalidate(key);
      // Until rebuilt, reads fall back to PostgreSQL: wait for Redis to serve again.
      await waitFor(async () => (await leaderboards.status(key)).ready, {
        what: 'the Redis ranking to be rebuilt',
        timeoutMs: 60_000,
      });
    }
    await waitFor(
      async () =>
        JSON.stringify((await leaderboard(board)).map((e) => e.user_id)) ===
        JSON.stringify(expected),
      { what: "the served order to be PostgreSQL's", timeoutMs: 30_000 },
    );
    const entries = await leaderboard(board);
    expect(entries.map((e) => e.achieved_at)).toEqual([
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
    // Those standings were written by hand: reconcile finds exactly them, and puts them right.
    const { drift } = await new Reconciler(app.app.get(DataSource)).repair();
    expect(drift.map((d) => d.userId).sort()).toEqual([...expected].sort());
  });

  it(
    'takes the latest by acceptance time when scores are applied out of order',
    async () => {
      const board = await createBoard('latest');
      const [player] = players;
      const period = (await api.request('GET', `/api/boards/${board}`)).body.current_period.id;
      // Accepted in this order (created_at), not yet applied: no event, no sweep for an hour.
      const ids: string[] = [];
      for (const [value, at] of [
        [10, '2026-01-01T00:00:00.000001Z'],
        [20, '2026-01-01T00:00:00.000002Z'],
        [30, '2026-01-01T00:00:00.000003Z'],
      ] as const) {
        const [row] = await app.sql<{ id: string }>(
          `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, created_at,
                               retry_at)
           VALUES ($1, $2, $3, $4, $5, $6, now() + interval '1 hour') RETURNING id::text`,
          [player!.user.id, randomUUID(), value, board, period, at],
        );
        ids.push(row!.id);
      }
      const processing = app.app.get(ProcessingRepository);
      // The last accepted first, then the others, one batch each: a slow worker's retries.
      await processing.applyBatch([ids[2]!], { trackStandings: store === 'Redis' });
      await processing.applyBatch([ids[0]!], { trackStandings: store === 'Redis' });
      await processing.applyBatch([ids[1]!], { trackStandings: store === 'Redis' });
      const [standing] = await app.sql<{ latest_value: number; total_scores: number }>(
        `SELECT latest_value, total_scores::int FROM user_stats WHERE period_id = $1 AND user_id = $2`,
        [period, player!.user.id],
      );
      expect(standing).toEqual({ latest_value: 30, total_scores: 3 });
      expect(await new Reconciler(app.app.get(DataSource)).findDrift()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'recomputes latest, sum and count exactly on a removal and a ban, and reconcile agrees',
    async () => {
      const boards = {
        latest: await createBoard('latest'),
        sum: await createBoard('sum'),
        count: await createBoard('count'),
      };
      const [p1, p2] = players;
      const scores: Record<string, Accepted[]> = {};
      for (const [ranking, board] of Object.entries(boards)) {
        scores[ranking] = [];
        for (const [player, value] of [
          [p1, 40],
          [p2, 50],
          [p1, 70],
          [p2, 5],
        ] as const) {
          scores[ranking]!.push(await submit(player!, board, value));
        }
        await expectModel(board, ranking as Ranking, 'desc', scores[ranking]!);
      }
      // Remove p1's latest score (70) on each board: latest goes back to 40, the sum loses 70.
      for (const [ranking, board] of Object.entries(boards)) {
        const removed = scores[ranking]![2]!;
        const response = await api.request('DELETE', `/api/admin/scores/${removed.id}`, {
          token: admin.token,
          body: { reason: 'test' },
        });
        expect(response.status).toBe(204);
        scores[ranking] = scores[ranking]!.filter((s) => s.id !== removed.id);
        const entries = await expectModel(board, ranking as Ranking, 'desc', scores[ranking]!);
        const p1Entry = entries.find((e) => e.user_id === p1!.user.id)!;
        expect(p1Entry.value).toBe({ latest: 40, sum: 40, count: 1 }[ranking]);
      }
      // A ban takes p2 off every board; an unban puts them back exactly.
      expect(
        (
          await api.request('POST', `/api/admin/users/${p2!.user.id}/ban`, {
            token: admin.token,
            body: { reason: 'test' },
          })
        ).status,
      ).toBe(200);
      for (const [ranking, board] of Object.entries(boards)) {
        await expectModel(
          board,
          ranking as Ranking,
          'desc',
          scores[ranking]!.filter((s) => s.userId !== p2!.user.id),
        );
      }
      await api.request('POST', `/api/admin/users/${p2!.user.id}/unban`, { token: admin.token });
      for (const [ranking, board] of Object.entries(boards)) {
        await expectModel(board, ranking as Ranking, 'desc', scores[ranking]!);
      }
      const reconciler = new Reconciler(app.app.get(DataSource));
      expect(await reconciler.findDrift()).toEqual([]);

      // Reconcile notices a wrong latest and a wrong sum, and repairs both.
      await app.sql(
        `UPDATE user_stats SET latest_value = latest_value + 1, sum_scores = sum_scores + 1
          WHERE user_id = $1 AND board_id IN ($2, $3)`,
        [p1!.user.id, boards.latest, boards.sum],
      );
      const drift = await reconciler.findDrift();
      expect(drift.map((d) => d.boardId).sort()).toEqual([boards.latest, boards.sum].sort());
      await reconciler.repair();
      expect(await reconciler.findDrift()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it('refuses to change the ranking of a board with scores, and of global', async () => {
    const board = await createBoard('best');
    const patch = (id: string, ranking: string) =>
      api.request('PATCH', `/api/admin/boards/${id}`, { token: admin.token, body: { ranking } });
    const changed = await patch(board, 'sum');
    expect(changed.status).toBe(200);
    expect(changed.body.ranking).toBe('sum');
    await submit(players[0]!, board, 5);
    const refused = await patch(board, 'count');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('Board already has scores');
    expect((await patch(board, 'sum')).status).toBe(200); // unchanged: nothing to refuse
    const global = await patch('global', 'sum');
    expect(global.status).toBe(400);
    expect(global.body.errors).toEqual([
      { field: 'ranking', message: 'the global board always ranks by best' },
    ]);
    const invalid = await patch(board, 'median');
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toBe('ranking must be best, latest, sum or count');
    const globalAgain = await api.request('POST', '/api/admin/boards', {
      token: admin.token,
      body: { id: 'global', name: 'x', ranking: 'sum' },
    });
    expect(globalAgain.status).toBe(409);
  });

  it('keeps metadata with a score, returns it everywhere, and on best and latest entries only', async () => {
    const [player] = players;
    const metadata = { level: 3, character: 'fox', run: { seed: 'abc', splits: [1, 2] } };
    const boards = {
      best: await createBoard('best'),
      latest: await createBoard('latest'),
      sum: await createBoard('sum'),
      count: await createBoard('count'),
    };
    for (const board of Object.values(boards)) {
      await submit(player!, board, 20);
      await submit(player!, board, 50, { metadata });
      await submit(player!, board, 30);
    }
    const entry = async (board: string) =>
      (await leaderboard(board)).find((e) => e.user_id === player!.user.id)!;
    expect((await entry(boards.best)).metadata).toEqual(metadata); // the best, 50, had it
    expect((await entry(boards.latest)).metadata).toBeUndefined(); // the latest, 30, had none
    expect((await entry(boards.sum)).metadata).toBeUndefined();
    expect((await entry(boards.count)).metadata).toBeUndefined();

    const key = randomUUID();
    const first = await api.request('POST', '/api/scores', {
      token: player!.token,
      body: { value: 60, idempotency_key: key, board: boards.latest, metadata: { replay: 'r-1' } },
    });
    expect(first.body.metadata).toEqual({ replay: 'r-1' });
    const replay = await api.request('POST', '/api/scores', {
      token: player!.token,
      body: { value: 61, idempotency_key: key, board: boards.latest, metadata: { replay: 'r-2' } },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toMatchObject({
      id: first.body.id,
      value: 60,
      metadata: { replay: 'r-1' },
    });
    expect((await entry(boards.latest)).metadata).toEqual({ replay: 'r-1' });

    const mine = await api.request('GET', `/api/me/scores?board=${boards.latest}`, {
      token: player!.token,
    });
    expect(mine.body.items[0]).toMatchObject({ id: first.body.id, metadata: { replay: 'r-1' } });
    const one = await api.request('GET', `/api/me/scores/${first.body.id}`, {
      token: player!.token,
    });
    expect(one.body.metadata).toEqual({ replay: 'r-1' });
    const adminView = await api.request('GET', `/api/admin/users/${player!.user.id}/scores`, {
      token: admin.token,
    });
    expect(adminView.status).toBe(200);
    expect(
      adminView.body.items.find((s: { id: string }) => s.id === first.body.id).metadata,
    ).toEqual({ replay: 'r-1' });
    const exported = await api.request('GET', '/api/me/export', { token: player!.token });
    expect(
      exported.body.scores.find((s: { id: string }) => s.id === first.body.id).metadata,
    ).toEqual({ replay: 'r-1' });
  });

  it.each([
    [{ s: 'x'.repeat(1020) }, 'metadata must be at most 1024 bytes'],
    [{ a: { b: { c: { d: { e: 1 } } } } }, 'metadata must be nested at most 4 levels deep'],
    [[1, 2], 'metadata must be a JSON object'],
    ['level 3', 'metadata must be a JSON object'],
    [null, 'metadata must be a JSON object'],
  ])('refuses metadata %j: 400 naming the field, nothing stored', async (metadata, message) => {
    const [player] = players;
    const key = randomUUID();
    const response = await api.request('POST', '/api/scores', {
      token: player!.token,
      body: { value: 1, idempotency_key: key, metadata },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(message);
    expect(response.body.errors).toEqual([{ field: 'metadata', message }]);
    expect(await app.sql(`SELECT 1 FROM scores WHERE idempotency_key = $1`, [key])).toEqual([]);
  });

  it('refuses metadata with __proto__, constructor or prototype keys, as sent', async () => {
    const [player] = players;
    // Refused before the route by the body guard, which names the key's path.
    for (const [raw, path] of [
      ['{"__proto__":{"admin":true}}', 'metadata.__proto__'],
      ['{"a":{"constructor":{"x":1}}}', 'metadata.a.constructor'],
      ['{"prototype":1}', 'metadata.prototype'],
    ]) {
      const key = randomUUID();
      const response = await api.request('POST', '/api/scores', {
        token: player!.token,
        rawBody: `{"value":1,"idempotency_key":"${key}","metadata":${raw}}`,
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe(`${path} is not an allowed field`);
      expect(await app.sql(`SELECT 1 FROM scores WHERE idempotency_key = $1`, [key])).toEqual([]);
    }
  });

  it('answers ranks for a list of players without the others, leaving out unknown and suspended ones', async () => {
    const board = await createBoard('sum');
    const [p1, p2, p3, p4, p5] = players;
    await submit(p1!, board, 10);
    await submit(p2!, board, 30);
    await submit(p3!, board, 20);
    await submit(p4!, board, 40);
    await submit(p5!, board, 5);
    await api.request('POST', `/api/admin/users/${p5!.user.id}/ban`, {
      token: admin.token,
      body: { reason: 'test' },
    });
    await waitFor(async () => (await leaderboard(board)).length === 4, {
      what: 'the ban to reach the leaderboard',
    });
    const users = [p1, p3, p4, p5].map((p) => p!.user.id).join(',') + ',999999999';
    const friends = await api.request('GET', `/api/boards/${board}/leaderboard?users=${users}`);
    expect(friends.status).toBe(200);
    expect(friends.body.items.map((e: Entry) => [e.rank, e.user_id, e.value])).toEqual([
      [1, p4!.user.id, 40],
      [3, p3!.user.id, 20],
      [4, p1!.user.id, 10],
    ]);
    expect(friends.body.total_players).toBe(4);
    expect(friends.body.period.id).toBeDefined();
    await api.request('POST', `/api/admin/users/${p5!.user.id}/unban`, { token: admin.token });

    const hundredAndOne = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    for (const [query, message] of [
      [`users=${hundredAndOne}`, 'users must name at most 100 players'],
      ['users=1,x', 'users must be user ids (integers) separated by commas'],
      ['users=', 'users must be user ids (integers) separated by commas'],
      ['users=1.5', 'users must be user ids (integers) separated by commas'],
      ['users=1&users=2', 'users must be given once'],
    ]) {
      const refused = await api.request('GET', `/api/boards/${board}/leaderboard?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.message, query).toBe(message);
    }
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1).join(',');
    expect(
      (await api.request('GET', `/api/boards/${board}/leaderboard?users=${hundred}`)).status,
    ).toBe(200);
  });

  it('tells a player how many are ranked and their percentile', async () => {
    const board = await createBoard('count');
    for (const [i, player] of players.entries()) {
      for (let n = 0; n <= i; n++) await submit(player, board, 1);
    }
    await allScoresApplied(app);
    const me = async (player: Player) =>
      (await api.request('GET', `/api/boards/${board}/leaderboard/me`, { token: player.token }))
        .body;
    await waitFor(async () => (await me(players[4]!)).rank === 1, { what: 'the counts to rank' });
    expect(await me(players[4]!)).toMatchObject({ rank: 1, players: 5, percentile: 20 });
    expect(await me(players[0]!)).toMatchObject({ rank: 5, players: 5, percentile: 100 });
    const stranger = await api.signup();
    expect(await me(stranger)).toMatchObject({
      rank: null,
      items: [],
      players: 5,
      percentile: null,
    });
    // The legacy route keeps its shape.
    const legacy = await api.request('GET', '/api/leaderboard/me', { token: players[0]!.token });
    expect(Object.keys(legacy.body).sort()).toEqual(['items', 'rank']);
  });

  it('shows a new display name on every board and period at once, and in the next top 10', async () => {
    const player = await api.signup({ display_name: 'Before' });
    const boards = [await createBoard('best'), await createBoard('sum', { reset: 'daily' })];
    for (const board of boards) await submit(player, board, 9);
    await allScoresApplied(app);
    const stream =
      store === 'Redis'
        ? await EventStreamClient.open(app.baseUrl, player.token, `?boards=${boards[0]}`)
        : null;
    const renamed = await api.request('PATCH', '/api/me', {
      token: player.token,
      body: { display_name: 'After' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: player.user.id, display_name: 'After' });
    for (const board of boards) {
      const entries = await leaderboard(board);
      expect(entries.find((e) => e.user_id === player.user.id)!.display_name).toBe('After');
      const periods = await api.request('GET', `/api/boards/${board}/periods`);
      expect(periods.body.items[0].top[0].display_name).toBe('After');
    }
    if (stream) {
      const pushed = await stream.next('leaderboard', (data) =>
        data.items.some((e: Entry) => e.display_name === 'After'),
      );
      expect(pushed.data.board).toBe(boards[0]);
      stream.close();
    }
    for (const [body, message] of [
      [{ display_name: '' }, 'display_name must be 1 to 32 printable characters'],
      [{ display_name: 'x'.repeat(33) }, 'display_name must be 1 to 32 printable characters'],
      [{}, 'display_name is required'],
      [{ display_name: 'ok', email: 'x@example.com' }, 'email is not an allowed field'],
    ] as const) {
      const refused = await api.request('PATCH', '/api/me', { token: player.token, body });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toBe(message);
    }
    expect((await api.request('PATCH', '/api/me', { body: { display_name: 'x' } })).status).toBe(
      401,
    );
  });
});
