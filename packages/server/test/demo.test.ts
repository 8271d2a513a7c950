import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { startTestApp, type TestApp } from './support/test-app';

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
    expect(output).toMatch(/8 players \(8 new\), 3 boards/);
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
      items: Array<{ id: string }>;
    };
    expect(boards.items.map((board) => board.id).sort()).toEqual([
      'daily-puzzle',
      'global',
      'speedrun',
    ]);
    const leaderboard = (await (
      await fetch(`${app.baseUrl}/api/boards/speedrun/leaderboard?limit=20`)
    ).json()) as { items: Array<{ display_name: string; high_score: number }> };
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
  });

  it('changes nothing when run again: every score is a replay', async () => {
    expect((await runCli(app, ['demo'])).code).toBe(0); // the first run, or a repeat: either way
    const before = { users: await count('users'), scores: await count('scores') };
    const { code, output } = await runCli(app, ['demo']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/8 players \(0 new\)/);
    expect(output).toContain(`(0 new, ${before.scores} already there)`);
    expect({ users: await count('users'), scores: await count('scores') }).toEqual(before);
  });
});
