import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { allScoresApplied, startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';
import { WebhookReceiver } from './support/webhook-receiver';

/**
 * SPEC 2d, period results: written once when a period becomes final, revised by moderation, and
 * rewards claimed exactly once, over HTTP against the real server and PostgreSQL.
 */
let app: TestApp;
let api: ApiClient;
let admin: { token: string; user: { id: string } };
let hook: WebhookReceiver;

beforeAll(async () => {
  app = await startTestApp('period_results', { WEBHOOK_ALLOW_PRIVATE: 'true' });
  api = new ApiClient(app.baseUrl);
  admin = await api.signup();
  await app.sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.user.id]);
  hook = await new WebhookReceiver().start();
  const created = await api.request('POST', '/api/admin/webhooks', {
    token: admin.token,
    body: { url: hook.url, events: ['period.finalized'] },
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await hook.stop();
  await app.close();
});

type Result = {
  id: string;
  rank: number;
  user_id: string;
  display_name: string | null;
  value: number;
  achieved_at: string;
  claimed_at: string | null;
};

async function createBoard(body: Record<string, unknown> = {}): Promise<string> {
  const id = `r-${randomUUID().slice(0, 8)}`;
  const created = await api.request('POST', '/api/admin/boards', {
    token: admin.token,
    body: { id, name: id, reset: 'daily', ...body },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return id;
}

async function submit(token: string, value: number, board: string): Promise<string> {
  const answer = await api.request('POST', '/api/scores', {
    token,
    body: { value, idempotency_key: randomUUID(), board },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id;
}

/** Ends the board's current period now (as if its reset had come), and returns its id. */
async function endCurrentPeriod(board: string): Promise<string> {
  const [period] = await app.sql<{ id: string }>(
    `WITH ended AS (
       UPDATE board_periods SET ends_at = clock_timestamp()
        WHERE board_id = $1 AND starts_at <= now() AND (ends_at IS NULL OR ends_at > now())
        RETURNING id
     )
     SELECT id::text FROM ended`,
    [board],
  );
  return period!.id;
}

const resultsPath = (board: string, period: string) =>
  `/api/boards/${board}/periods/${period}/results`;

async function resultsOf(
  board: string,
  period: string,
  revision = 1,
): Promise<{ items: Result[]; revision: number; next_cursor: string | null }> {
  return waitFor(
    async () => {
      const answer = await api.request('GET', `${resultsPath(board, period)}?limit=100`);
      return answer.status === 200 && answer.body.revision >= revision ? answer.body : undefined;
    },
    { what: `results of period ${period} (revision ${revision})`, timeoutMs: 30_000 },
  );
}

/** A board whose one final period has placements of `values.length` players, in that order. */
async function finalBoard(values: number[][] | number[], body: Record<string, unknown> = {}) {
  const board = await createBoard(body);
  const players = [];
  for (const own of values) {
    const player = await api.signup();
    for (const value of Array.isArray(own) ? own : [own]) await submit(player.token, value, board);
    players.push(player);
  }
  await allScoresApplied(app);
  const period = await endCurrentPeriod(board);
  const results = await resultsOf(board, period);
  return { board, period, players, results };
}

describe('period results', () => {
  it('answers 404 while the period is not final, and for unknown boards and periods', async () => {
    const board = await createBoard();
    const player = await api.signup();
    await submit(player.token, 5, board);
    const periods = await api.request('GET', `/api/boards/${board}/periods`);
    const current = periods.body.items[0].id as string;
    const open = await api.request('GET', resultsPath(board, current));
    expect(open.status).toBe(404);
    expect(open.body).toMatchObject({ statusCode: 404, message: expect.stringMatching(/final/) });
    expect((await api.request('GET', resultsPath(board, '999999'))).status).toBe(404);
    expect((await api.request('GET', resultsPath(board, 'x'))).status).toBe(404);
    expect((await api.request('GET', resultsPath('no-such-board', current))).status).toBe(404);
    const bad = await api.request('GET', `${resultsPath(board, current)}?limit=0`);
    expect(bad.status).toBe(400);
  });

  it('places the players of a sum board by their exact totals', async () => {
    const { players, results } = await finalBoard(
      [
        [30, 40],
        [50, 5],
        [10, 10, 10],
      ],
      { ranking: 'sum' },
    );
    expect(results.items.map((r) => [r.rank, r.user_id, r.value])).toEqual([
      [1, players[0]!.user.id, 70],
      [2, players[1]!.user.id, 55],
      [3, players[2]!.user.id, 30],
    ]);
  });

  it('writes every ranked placement once the period is final, in leaderboard order, paged', async () => {
    const { board, period, players, results } = await finalBoard([30, 50, 10, 50]);
    expect(results.revision).toBe(1);
    expect(results.items.map((r) => [r.rank, r.user_id, r.value])).toEqual([
      [1, players[1]!.user.id, 50],
      [2, players[3]!.user.id, 50],
      [3, players[0]!.user.id, 30],
      [4, players[2]!.user.id, 10],
    ]);
    const leaderboard = await api.request(
      'GET',
      `/api/boards/${board}/leaderboard?period=${period}&limit=100`,
    );
    expect(leaderboard.body.period.final).toBe(true);
    expect(
      results.items.map((r) => ({
        rank: r.rank,
        user_id: r.user_id,
        display_name: r.display_name,
        value: r.value,
        high_score: r.value, // a best board: the ranked value is the best
        achieved_at: r.achieved_at,
      })),
    ).toEqual(leaderboard.body.items);

    const first = await api.request('GET', `${resultsPath(board, period)}?limit=3`);
    expect(first.body.items.map((r: Result) => r.rank)).toEqual([1, 2, 3]);
    const second = await api.request(
      'GET',
      `${resultsPath(board, period)}?limit=3&cursor=${first.body.next_cursor}`,
    );
    expect(second.body).toMatchObject({ next_cursor: null, revision: 1 });
    expect(second.body.items.map((r: Result) => r.rank)).toEqual([4]);

    const event = await waitFor(() =>
      hook
        .ofType('period.finalized')
        .find((d) => d.event.data.period.id === period && d.event.data.revision === 1),
    );
    expect(event.event.data).toMatchObject({ board, players: 4, revision: 1 });
    expect(event.event.data.top.map((p: { user_id: string }) => p.user_id)).toEqual(
      results.items.map((r) => r.user_id),
    );
  });

  it('equals the final leaderboard of a minute board that rolled over by itself', async () => {
    const board = await createBoard({ reset: '* * * * *' });
    for (const value of [12, 7, 99]) {
      const player = await api.signup();
      await submit(player.token, value, board);
    }
    await allScoresApplied(app);
    const periods = await app.sql<{ id: string }>(
      `SELECT DISTINCT period_id::text AS id FROM scores WHERE board_id = $1`,
      [board],
    );
    for (const { id } of periods) {
      // The minute ends on its own (within 60 s); then the finalizer writes it.
      const results = await waitFor(
        async () => {
          const answer = await api.request('GET', `${resultsPath(board, id)}?limit=100`);
          return answer.status === 200 ? answer.body : undefined;
        },
        { what: 'the minute to end and its results', timeoutMs: 120_000, intervalMs: 250 },
      );
      const leaderboard = await api.request(
        'GET',
        `/api/boards/${board}/leaderboard?period=${id}&limit=100`,
      );
      expect(leaderboard.body.period.final).toBe(true);
      expect(results.items.map((r: Result) => [r.rank, r.user_id, r.value, r.achieved_at])).toEqual(
        leaderboard.body.items.map((e: Record<string, unknown>) => [
          e.rank,
          e.user_id,
          e.high_score,
          e.achieved_at,
        ]),
      );
    }
  }, 150_000);

  it('a ban, an unban and a removal in a final period each write a new revision and event', async () => {
    const { board, period, players } = await finalBoard([40, 20, 30]);
    const [top, low, middle] = players;
    const as = { token: admin.token };

    await api.request('POST', `/api/admin/users/${top!.user.id}/ban`, {
      ...as,
      body: { reason: 'cheating' },
    });
    const afterBan = await resultsOf(board, period, 2);
    expect(afterBan.items.map((r) => [r.rank, r.user_id])).toEqual([
      [1, middle!.user.id],
      [2, low!.user.id],
    ]);

    await api.request('POST', `/api/admin/users/${top!.user.id}/unban`, as);
    const afterUnban = await resultsOf(board, period, 3);
    expect(afterUnban.items.map((r) => r.user_id)).toEqual([
      top!.user.id,
      middle!.user.id,
      low!.user.id,
    ]);

    const [score] = await app.sql<{ id: string }>(
      `SELECT id::text FROM scores WHERE user_id = $1 AND board_id = $2`,
      [middle!.user.id, board],
    );
    const removed = await api.request('DELETE', `/api/admin/scores/${score!.id}`, {
      ...as,
      body: { reason: 'modified client' },
    });
    expect(removed.status).toBe(204);
    const afterRemoval = await resultsOf(board, period, 4);
    expect(afterRemoval.items.map((r) => r.user_id)).toEqual([top!.user.id, low!.user.id]);

    const revisions = await waitFor(() => {
      const seen = hook
        .ofType('period.finalized')
        .filter((d) => d.event.data.period.id === period)
        .map((d) => d.event.data.revision);
      return seen.length === 4 ? seen : undefined;
    });
    expect(revisions.sort()).toEqual([1, 2, 3, 4]);
  });

  it('an account deletion takes the player out of the results, old revisions included', async () => {
    const { board, period, players } = await finalBoard([5, 6]);
    const [gone, stays] = players;
    const finalized = (user: string) =>
      app.sql<{ revision: number }>(
        `SELECT (data->>'revision')::int AS revision FROM webhook_events
          WHERE type = 'period.finalized' AND data->'period'->>'id' = $1
            AND data->'top' @> jsonb_build_array(jsonb_build_object('user_id', $2::text))`,
        [period, user],
      );
    expect(await finalized(gone!.user.id)).toEqual([{ revision: 1 }]);
    const deleted = await api.request('DELETE', `/api/admin/users/${gone!.user.id}`, {
      token: admin.token,
    });
    expect(deleted.status).toBe(204);
    const revised = await resultsOf(board, period, 2);
    expect(revised.items.map((r) => [r.rank, r.user_id])).toEqual([[1, stays!.user.id]]);
    const left = await app.sql(`SELECT 1 FROM period_results WHERE user_id = $1`, [gone!.user.id]);
    expect(left).toEqual([]);
    // The outbox's event of revision 1, which placed them, went too; revision 2's does not name them.
    expect(await finalized(gone!.user.id)).toEqual([]);
    expect(await finalized(stays!.user.id)).toEqual([{ revision: 2 }]);
  });
});

describe('claims', () => {
  it('answers first: true to exactly one of 50 concurrent claims, and the same claimed_at to all', async () => {
    const { players, results } = await finalBoard([77]);
    const claims = await Promise.all(
      Array.from({ length: 50 }, () =>
        api.request('POST', `/api/me/results/${results.items[0]!.id}/claim`, {
          token: players[0]!.token,
        }),
      ),
    );
    expect(claims.map((c) => c.status)).toEqual(Array(50).fill(200));
    expect(claims.filter((c) => c.body.first === true)).toHaveLength(1);
    expect(new Set(claims.map((c) => c.body.claimed_at)).size).toBe(1);

    const again = await api.request('POST', `/api/me/results/${results.items[0]!.id}/claim`, {
      token: players[0]!.token,
    });
    expect(again.body).toEqual({ claimed_at: claims[0]!.body.claimed_at, first: false });
  });

  it('lists the caller’s placements, claimed or not, and shows claims in the results', async () => {
    const first = await finalBoard([10]);
    const player = first.players[0]!;
    const second = await createBoard();
    await submit(player.token, 20, second);
    await allScoresApplied(app);
    const secondPeriod = await endCurrentPeriod(second);
    const secondResults = await resultsOf(second, secondPeriod);

    const all = await api.request('GET', '/api/me/results', { token: player.token });
    expect(all.status).toBe(200);
    expect(all.body.items.map((r: { board: string }) => r.board)).toEqual([second, first.board]);
    expect(all.body.items[0]).toEqual({
      id: secondResults.items[0]!.id,
      board: second,
      period: { id: secondPeriod, starts_at: expect.any(String), ends_at: expect.any(String) },
      revision: 1,
      rank: 1,
      value: 20,
      achieved_at: expect.any(String),
      claimed_at: null,
    });

    await api.request('POST', `/api/me/results/${first.results.items[0]!.id}/claim`, {
      token: player.token,
    });
    const unclaimed = await api.request('GET', '/api/me/results?claimed=false', {
      token: player.token,
    });
    expect(unclaimed.body.items.map((r: { board: string }) => r.board)).toEqual([second]);
    const claimed = await api.request('GET', '/api/me/results?claimed=true', {
      token: player.token,
    });
    expect(claimed.body.items.map((r: { board: string }) => r.board)).toEqual([first.board]);
    const shown = await resultsOf(first.board, first.period);
    expect(shown.items[0]!.claimed_at).toEqual(claimed.body.items[0].claimed_at);

    const exported = await api.request('GET', '/api/me/export', { token: player.token });
    const listed = await api.request('GET', '/api/me/results', { token: player.token });
    expect(exported.body.results).toEqual(listed.body.items);

    expect((await api.request('GET', '/api/me/results')).status).toBe(401);
    const bad = await api.request('GET', '/api/me/results?claimed=maybe', { token: player.token });
    expect(bad.status).toBe(400);
  });

  it('an API key claims for the player it names; a player cannot name one; others’ results are 404', async () => {
    const { players, results } = await finalBoard([3, 4]);
    const [owner, other] = players;
    const resultOf = (userId: string) => results.items.find((r) => r.user_id === userId)!.id;
    const key = await api.request('POST', '/api/admin/api-keys', {
      token: admin.token,
      body: { name: 'rewards', scopes: ['scores:write'] },
    });
    const withKey = (id: string, body: Record<string, unknown>) =>
      api.request('POST', `/api/me/results/${id}/claim`, {
        headers: { 'x-api-key': key.body.key },
        body,
      });

    const byKey = await withKey(resultOf(owner!.user.id), { user_id: owner!.user.id });
    expect(byKey.status, JSON.stringify(byKey.body)).toBe(200);
    expect(byKey.body.first).toBe(true);
    const byPlayer = await api.request(
      'POST',
      `/api/me/results/${resultOf(owner!.user.id)}/claim`,
      { token: owner!.token },
    );
    expect(byPlayer.body).toEqual({ claimed_at: byKey.body.claimed_at, first: false });

    expect((await withKey(resultOf(owner!.user.id), {})).status).toBe(400);
    expect((await withKey(resultOf(owner!.user.id), { user_id: '999999999' })).status).toBe(404);
    expect((await withKey(resultOf(owner!.user.id), { user_id: other!.user.id })).status).toBe(404);
    const named = await api.request('POST', `/api/me/results/${resultOf(owner!.user.id)}/claim`, {
      token: owner!.token,
      body: { user_id: owner!.user.id },
    });
    expect(named.status).toBe(400);
    for (const id of [resultOf(other!.user.id), '999999999', 'abc']) {
      const answer = await api.request('POST', `/api/me/results/${id}/claim`, {
        token: owner!.token,
      });
      expect(answer.status).toBe(404);
    }
    for (const body of [{ user_id: [1] }, { user_id: { id: 1 } }, { reward: 'gold' }]) {
      const refused = await withKey(resultOf(owner!.user.id), body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
    const unknownKey = await api.request('POST', `/api/me/results/1/claim`, {
      headers: { 'x-api-key': 'sbk_1_nope' },
      body: { user_id: owner!.user.id },
    });
    expect(unknownKey.status).toBe(401);
  });
});
