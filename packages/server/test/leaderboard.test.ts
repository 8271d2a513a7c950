import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/** The leaderboard without Redis: PostgreSQL alone. */
let app: TestApp;
let api: ApiClient;

beforeAll(async () => {
  app = await startTestApp('leaderboard');
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

const settled = () =>
  waitFor(
    async () =>
      (
        await app.sql<{ n: string }>('SELECT count(*) AS n FROM scores WHERE applied_at IS NULL')
      )[0]!.n === '0',
    { what: 'every score applied' },
  );

/** The ranking recomputed from user_high_scores, as SPEC orders it. */
async function expectedRanking(): Promise<Array<{ user_id: string; high_score: number }>> {
  return app.sql(
    `SELECT h.user_id::text, h.high_score FROM user_high_scores h
      ORDER BY h.high_score DESC, h.achieved_at, h.user_id`,
  );
}

async function fullLeaderboard(): Promise<any[]> {
  const items = [];
  for (let offset = 0; ; offset += 100) {
    const page = await api.request('GET', `/api/leaderboard?limit=100&offset=${offset}`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    if (page.body.items.length < 100) return items;
  }
}

describe('GET /api/leaderboard', () => {
  it('is empty before any processed score, and /me answers rank null', async () => {
    const { token } = await api.signup();
    expect((await api.request('GET', '/api/leaderboard')).body).toEqual({
      items: [],
      total_players: 0,
    });
    expect((await api.request('GET', '/api/leaderboard/me', { token })).body).toEqual({
      rank: null,
      items: [],
    });
  });

  it('equals the ranking recomputed from user_high_scores after random load, with gapless ranks and no emails', async () => {
    const players = await Promise.all(Array.from({ length: 30 }, () => api.signup()));
    await Promise.all(
      players.flatMap((player, i) =>
        Array.from({ length: 4 }, (_, j) => api.submitScore(player.token, (i * 13 + j * 29) % 101)),
      ),
    );
    await settled();
    const expected = await expectedRanking();
    const items = await fullLeaderboard();
    expect(items.map((item) => [item.user_id, item.high_score])).toEqual(
      expected.map((row) => [row.user_id, row.high_score]),
    );
    expect(items.map((item) => item.rank)).toEqual(items.map((_, i) => i + 1));
    const body = JSON.stringify(items);
    for (const player of players) expect(body).not.toContain(player.email);
    expect(items[0]).toEqual({
      rank: 1,
      user_id: expect.any(String),
      display_name: expect.any(String),
      high_score: expect.any(Number),
      value: expect.any(Number),
      achieved_at: expect.any(String),
    });
    const page = await api.request('GET', '/api/leaderboard?limit=5&offset=10');
    expect(page.body.items.map((item: { rank: number }) => item.rank)).toEqual([
      11, 12, 13, 14, 15,
    ]);
    expect(page.body.total_players).toBe(expected.length);
  });

  it('ranks equal high scores by who reached them first', async () => {
    const early = await api.signup({ display_name: 'early' });
    const late = await api.signup({ display_name: 'late' });
    await api.submitScore(early.token, 100);
    await settled();
    await api.submitScore(late.token, 100);
    await settled();
    const top = (await api.request('GET', '/api/leaderboard?limit=100')).body.items.filter(
      (item: { high_score: number }) => item.high_score === 100,
    );
    const names = top.map((item: { display_name: string }) => item.display_name);
    expect(names.indexOf('early')).toBeLessThan(names.indexOf('late'));
  });

  it('breaks a tie of score and time by user id in numeric order', async () => {
    // Users 9 and 10: ordered as text, "10" would come first.
    await app.sql(
      `UPDATE user_stats SET high_score = 1000, best_at = '2026-01-01T00:00:00Z'
        WHERE user_id IN (9, 10)`,
    );
    const top = await api.request('GET', '/api/leaderboard?limit=2');
    expect(top.body.items.map((item: { user_id: string }) => item.user_id)).toEqual(['9', '10']);
  });

  it('answers the caller’s rank with up to radius neighbours on each side', async () => {
    const { token, user } = await api.signup();
    await api.submitScore(token, 55);
    await settled();
    const expected = await expectedRanking();
    const rank = expected.findIndex((row) => row.user_id === user.id) + 1;
    const mine = await api.request('GET', '/api/leaderboard/me?radius=2', { token });
    expect(mine.status).toBe(200);
    expect(mine.body.rank).toBe(rank);
    expect(mine.body.items.map((item: { rank: number }) => item.rank)).toEqual(
      [rank - 2, rank - 1, rank, rank + 1, rank + 2].filter((r) => r >= 1 && r <= expected.length),
    );
    expect(mine.body.items.find((item: { rank: number }) => item.rank === rank).user_id).toBe(
      user.id,
    );
  });

  it.each(['limit=0', 'limit=101', 'offset=-1', 'limit=x', 'other=1'])(
    'refuses %s with 400',
    async (query) => {
      const response = await api.request('GET', `/api/leaderboard?${query}`);
      expect(response.status).toBe(400);
    },
  );

  it.each(['radius=-1', 'radius=51', 'radius=1.5'])('refuses /me?%s with 400', async (query) => {
    const { token } = await api.signup();
    expect((await api.request('GET', `/api/leaderboard/me?${query}`, { token })).status).toBe(400);
  });

  it('answers 401 for /me without a token', async () => {
    expect((await api.request('GET', '/api/leaderboard/me')).status).toBe(401);
  });
});
