import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

type Period = { id: string; ends_at: string | null; players: number; final: boolean };
type Entry = { display_name: string; high_score: number; value: number; metadata?: unknown };

/** `npm run scoreboard -- demo`, as a newcomer runs it beside their server. */
describe('the demo command', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('demo');
  });
  afterAll(async () => {
    await app?.close();
  });

  const count = async (table: string) =>
    Number((await app.sql<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

  it('makes players, boards and applied scores through the API, and says how to log in', async () => {
    const { code, output } = await runCli(app, ['demo']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/8 players \(8 new\), 6 boards/);
    expect(output).toContain('ada@demo.example');
    expect(output).toContain('scoreboard-demo');

    // Every score was accepted by the API and applied by a worker: nothing is pending.
    const scores = await count('scores');
    expect(scores).toBeGreaterThan(50);
    expect(output).toContain(`${scores} scores (${scores} new, 0 already there), all applied`);
    expect(await count('scores WHERE applied_at IS NULL')).toBe(0);
    expect(await count('scores WHERE idempotency_key IS NULL')).toBe(0);

    // What the dashboard shows: the boards, a full leaderboard with both Sams, a working login.
    const boards = (await (await fetch(`${app.baseUrl}/api/boards`)).json()) as {
      items: Array<{ id: string; ranking: string }>;
    };
    expect(boards.items.map((board) => board.id).sort()).toEqual([
      'daily-puzzle',
      'games-played',
      'global',
      'rating',
      'speedrun',
      'weekly-points',
    ]);
    // Values in the boards' own terms: times in milliseconds, points.
    expect(boards.items.find((board) => board.id === 'speedrun')).toMatchObject({
      display_format: 'duration:ms',
    });
    expect(boards.items.find((board) => board.id === 'weekly-points')).toMatchObject({
      unit: 'pts',
    });
    expect(new Set(boards.items.map((board) => board.ranking))).toEqual(
      new Set(['best', 'sum', 'count', 'latest']),
    );
    const leaderboard = (await (
      await fetch(`${app.baseUrl}/api/boards/speedrun/leaderboard?limit=20`)
    ).json()) as { items: Entry[] };
    expect(leaderboard.items).toHaveLength(8);
    expect(leaderboard.items.filter((entry) => entry.display_name === 'Sam')).toHaveLength(2);
    // Lower is better on the speedrun board.
    const bests = leaderboard.items.map((entry) => entry.high_score);
    expect(bests).toEqual([...bests].sort((a, b) => a - b));

    const login = await fetch(`${app.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@demo.example', password: 'scoreboard-demo' }),
    });
    expect(login.status).toBe(200);
    const { access_token: token } = (await login.json()) as { access_token: string };
    const me = await fetch(`${app.baseUrl}/api/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await me.json()) as { role: string }).role).toBe('admin');

    const reconcile = await runCli(app, ['reconcile']);
    expect(reconcile.code, reconcile.output).toBe(0);
    expect(reconcile.output).toContain('No drift');
  });

  it('spreads the scores over two weeks, so boards have closed periods with results', async () => {
    expect((await runCli(app, ['demo'])).code).toBe(0); // the first run, or a repeat: either way
    const [span] = await app.sql<{ days: number }>(
      `SELECT extract(epoch FROM max(created_at) - min(created_at)) / 86400 AS days FROM scores`,
    );
    expect(Number(span!.days)).toBeGreaterThan(10);
    // Each score sits in the period that holds its time.
    const misplaced = await app.sql(
      `SELECT s.id FROM scores s JOIN board_periods p ON p.id = s.period_id
        WHERE s.created_at < p.starts_at OR s.created_at >= coalesce(p.ends_at, 'infinity')`,
    );
    expect(misplaced).toEqual([]);

    for (const board of ['speedrun', 'daily-puzzle', 'weekly-points', 'games-played']) {
      const periods = (await (
        await fetch(`${app.baseUrl}/api/boards/${board}/periods`)
      ).json()) as { items: Period[] };
      const closed = periods.items.filter((period) => period.ends_at !== null && period.final);
      expect(closed.length, board).toBeGreaterThan(0);
      expect(closed[0]!.players, board).toBeGreaterThan(0);

      // "Previous" has something to show, and the period's results (the archive) are written.
      const previous = await fetch(
        `${app.baseUrl}/api/boards/${board}/leaderboard?period=previous`,
      );
      expect(previous.status, board).toBe(200);
      const { items } = (await previous.json()) as { items: Entry[] };
      expect(items.length, board).toBeGreaterThan(0);
      await waitFor(
        async () =>
          (await fetch(`${app.baseUrl}/api/boards/${board}/periods/${closed[0]!.id}/results`))
            .status === 200,
        { what: `the results of ${board}'s last closed period` },
      );
    }

    // Some scores carry context, shown on the latest-ranked board's entries.
    const rating = (await (
      await fetch(`${app.baseUrl}/api/boards/rating/leaderboard?limit=20`)
    ).json()) as { items: Entry[] };
    expect(rating.items).toHaveLength(8);
    expect(rating.items.every((entry) => entry.metadata !== undefined)).toBe(true);

    const reconcile = await runCli(app, ['reconcile']);
    expect(reconcile.output).toContain('No drift');
  });

  it('changes nothing when run again: every score is a replay', async () => {
    expect((await runCli(app, ['demo'])).code).toBe(0); // the first run, or a repeat: either way
    const before = {
      users: await count('users'),
      scores: await count('scores'),
      periods: await count('board_periods'),
      audit: await count('audit_log'),
    };
    const { code, output } = await runCli(app, ['demo']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/8 players \(0 new\)/);
    expect(output).toContain(`(0 new, ${before.scores} already there)`);
    expect({
      users: await count('users'),
      scores: await count('scores'),
      periods: await count('board_periods'),
      audit: await count('audit_log'),
    }).toEqual(before);
  });
});
