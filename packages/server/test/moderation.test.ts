import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAdmin, runCli } from './support/cli';
import { ApiClient } from './support/api-client';
import { EventStreamClient } from './support/event-stream';
import { allScoresApplied, startTestApp, type TestApp } from './support/test-app';

/**
 * SPEC 2b over HTTP, on one server without Redis (its leaderboards are PostgreSQL's): bans, score
 * removal with exact recomputation, the audit log, export and account deletion.
 */
let app: TestApp;
let api: ApiClient;
let admin: { token: string; email: string; user: { id: string } };

beforeAll(async () => {
  app = await startTestApp('moderation');
  api = new ApiClient(app.baseUrl);
  admin = await api.signup();
  await makeAdmin(app, admin.email);
});
afterAll(() => app.close());

async function createBoard(body: Record<string, unknown> = {}): Promise<string> {
  const id = `m-${randomUUID().slice(0, 8)}`;
  const created = await api.request('POST', '/api/admin/boards', {
    token: admin.token,
    body: { id, name: id, ...body },
  });
  expect(created.status).toBe(201);
  return id;
}

/** Submits the values in turn, each once applied: their order is the order they were reached. */
async function play(token: string, board: string, values: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const value of values) {
    const response = await api.request('POST', '/api/scores', {
      token,
      body: { value, idempotency_key: randomUUID(), board },
    });
    expect(response.status).toBe(201);
    ids.push(response.body.id);
  }
  await allScoresApplied(app);
  return ids;
}

const leaderboard = async (board: string, period = 'current') =>
  (await api.request('GET', `/api/boards/${board}/leaderboard?period=${period}&limit=100`)).body;

const ban = (userId: string, reason = 'cheating') =>
  api.request('POST', `/api/admin/users/${userId}/ban`, { token: admin.token, body: { reason } });
const unban = (userId: string) =>
  api.request('POST', `/api/admin/users/${userId}/unban`, { token: admin.token });
const removeScore = (scoreId: string, reason = 'modified client') =>
  api.request('DELETE', `/api/admin/scores/${scoreId}`, { token: admin.token, body: { reason } });

describe('the admin routes', () => {
  it('answer 401 without a token and 403 for a player', async () => {
    const player = await api.signup();
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/users'],
      ['POST', `/api/admin/users/${player.user.id}/ban`, { reason: 'x' }],
      ['POST', `/api/admin/users/${player.user.id}/unban`],
      ['GET', `/api/admin/users/${player.user.id}/scores`],
      ['DELETE', `/api/admin/users/${player.user.id}`],
      ['DELETE', '/api/admin/scores/1', { reason: 'x' }],
      ['GET', '/api/admin/audit-log'],
      ['GET', '/api/admin/api-keys'],
    ];
    for (const [method, path, body] of routes) {
      expect((await api.request(method, path, { body })).status, `${method} ${path}`).toBe(401);
      const forbidden = await api.request(method, path, { token: player.token, body });
      expect(forbidden.status, `${method} ${path}`).toBe(403);
    }
    expect((await api.request('GET', '/api/me', { token: player.token })).status).toBe(200);
  });

  it('search players by a prefix of the email or the display name, newest first, in pages', async () => {
    const tag = randomUUID().slice(0, 8);
    const first = await api.signup({ email: `${tag}-a@example.com`, display_name: 'Zed' });
    const second = await api.signup({ email: `other-${tag}@example.com`, display_name: `${tag}X` });
    const third = await api.signup({ email: `${tag.toUpperCase()}-c@example.com` });
    const page1 = await api.request('GET', `/api/admin/users?query=${tag}&limit=2`, {
      token: admin.token,
    });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((u: { id: string }) => u.id)).toEqual([
      third.user.id,
      second.user.id,
    ]);
    expect(page1.body.items[0]).toEqual({
      id: third.user.id,
      email: `${tag.toUpperCase()}-c@example.com`,
      display_name: expect.any(String),
      role: 'player',
      banned_at: null,
      created_at: expect.any(String),
    });
    const page2 = await api.request(
      'GET',
      `/api/admin/users?query=${tag}&limit=2&cursor=${page1.body.next_cursor}`,
      { token: admin.token },
    );
    expect(page2.body).toEqual({
      items: [expect.objectContaining({ id: first.user.id })],
      next_cursor: null,
    });
    const wildcard = await api.request('GET', '/api/admin/users?query=%25', {
      token: admin.token,
    });
    expect(wildcard.body.items).toEqual([]);
    const nul = await api.request('GET', '/api/admin/users?query=a%00b', { token: admin.token });
    expect(nul.status).toBe(400);
    expect(nul.body.message).toBe('query must not contain control characters');
  });
});

describe('a ban', () => {
  it('suspends the account: 403 on every route and at login with the right password', async () => {
    const player = await api.signup();
    await play(player.token, 'global', [30]);
    const stream = await EventStreamClient.open(app.baseUrl, player.token);
    await stream.next('stats');
    expect((await ban(player.user.id)).status).toBe(200);
    // An open stream ends; every route then answers 403.
    expect(await stream.whenEnded()).toBe('the server closed the stream');
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['GET', '/api/me/stats'],
      ['GET', '/api/me/scores'],
      ['GET', '/api/leaderboard/me'],
      ['GET', '/api/stream'],
    ] as const) {
      const response = await api.request(method, path, { token: player.token });
      expect(response.status, path).toBe(403);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Account suspended',
      });
    }
    const submit = await api.submitScore(player.token, 50);
    expect(submit.status).toBe(403);
    expect(submit.body.message).toBe('Account suspended');
    const login = await api.request('POST', '/api/auth/login', {
      body: { email: player.email, password: player.password },
    });
    expect(login.status).toBe(403);
    expect(login.body.message).toBe('Account suspended');
    const wrong = await api.request('POST', '/api/auth/login', {
      body: { email: player.email, password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
  });

  it('takes the player off every leaderboard of every board and period, and unban puts them back exactly', async () => {
    const board = await createBoard({ sort: 'asc' });
    const [a, b, c] = [await api.signup(), await api.signup(), await api.signup()];
    await play(a.token, board, [30]);
    await play(b.token, board, [20]);
    await play(c.token, board, [40]);
    await play(b.token, 'global', [90]);
    const before = await leaderboard(board);
    expect(before.items.map((e: { user_id: string }) => e.user_id)).toEqual([
      b.user.id,
      a.user.id,
      c.user.id,
    ]);
    // The board's period closes: the ban reaches closed periods too.
    const [period] = await app.sql<{ id: string }>(
      `WITH closed AS (UPDATE board_periods SET ends_at = now()
                        WHERE board_id = $1 AND ends_at IS NULL RETURNING id)
       SELECT id::text FROM closed`,
      [board],
    );
    await play(b.token, board, [25]);
    const closedBefore = await leaderboard(board, period!.id);
    const globalBefore = await leaderboard('global');

    expect((await ban(b.user.id)).body).toMatchObject({
      id: b.user.id,
      banned_at: expect.any(String),
    });
    const closed = await leaderboard(board, period!.id);
    expect(closed.total_players).toBe(2);
    expect(closed.items).toEqual([
      expect.objectContaining({ rank: 1, user_id: a.user.id, high_score: 30 }),
      expect.objectContaining({ rank: 2, user_id: c.user.id, high_score: 40 }),
    ]);
    const current = await leaderboard(board);
    expect(current).toMatchObject({ total_players: 0, items: [] });
    const global = await leaderboard('global');
    expect(global.total_players).toBe(globalBefore.total_players - 1);
    expect(global.items.map((e: { user_id: string }) => e.user_id)).not.toContain(b.user.id);
    const periods = await api.request('GET', `/api/boards/${board}/periods`);
    expect(periods.body.items.find((p: { id: string }) => p.id === period!.id).players).toBe(2);
    // Nothing was deleted.
    const [kept] = await app.sql<{ scores: number; standings: number }>(
      `SELECT (SELECT count(*)::int FROM scores WHERE user_id = $1) AS scores,
              (SELECT count(*)::int FROM user_stats WHERE user_id = $1) AS standings`,
      [b.user.id],
    );
    expect(kept).toEqual({ scores: 3, standings: 3 });

    expect((await unban(b.user.id)).body).toMatchObject({ banned_at: null });
    expect(await leaderboard(board, period!.id)).toEqual(closedBefore);
    expect(await leaderboard('global')).toEqual(globalBefore);
    expect((await leaderboard(board)).items).toEqual([
      expect.objectContaining({ rank: 1, user_id: b.user.id, high_score: 25 }),
    ]);
    const login = await api.request('POST', '/api/auth/login', {
      body: { email: b.email, password: b.password },
    });
    expect(login.status).toBe(200);
  });

  it('keeps applying the scores accepted before it, off the leaderboard until unban', async () => {
    const board = await createBoard();
    const player = await api.signup();
    // Accepted, then banned before any worker could apply it: the apply finds a suspended player.
    const [accepted] = await app.sql<{ id: string }>(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
       SELECT $1, 'before-ban', 70, $2::varchar, p.id, now() + interval '1 hour'
         FROM board_periods p WHERE p.board_id = $2 AND p.ends_at IS NULL
       RETURNING id::text`,
      [player.user.id, board],
    );
    expect((await ban(player.user.id)).status).toBe(200);
    await app.sql(`UPDATE scores SET retry_at = now() WHERE id = $1`, [accepted!.id]);
    await allScoresApplied(app);
    expect(await leaderboard(board)).toMatchObject({ total_players: 0, items: [] });
    expect((await unban(player.user.id)).status).toBe(200);
    expect((await leaderboard(board)).items).toEqual([
      expect.objectContaining({ user_id: player.user.id, high_score: 70 }),
    ]);
  });

  it('leaves the player their own data: a suspended account may export and delete itself', async () => {
    const player = await api.signup();
    await play(player.token, 'global', [40]);
    expect((await ban(player.user.id)).status).toBe(200);
    const exported = await api.request('GET', '/api/me/export', { token: player.token });
    expect(exported.status).toBe(200);
    expect(exported.body.account).toMatchObject({
      id: player.user.id,
      banned_at: expect.any(String),
    });
    expect(exported.body.scores).toEqual([expect.objectContaining({ value: 40 })]);
    const wrong = await api.request('DELETE', '/api/me', {
      token: player.token,
      body: { password: 'not the password' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toBe('Invalid password');
    const deleted = await api.request('DELETE', '/api/me', {
      token: player.token,
      body: { password: player.password },
    });
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', '/api/me/export', { token: player.token })).status).toBe(401);
    const [left] = await app.sql<{ n: number }>(
      'SELECT (SELECT count(*) FROM users WHERE id = $1) + (SELECT count(*) FROM scores WHERE user_id = $1) AS n',
      [player.user.id],
    );
    expect(Number(left!.n)).toBe(0);
  });

  it('is refused for an unknown user (404), without a reason (400), and of oneself (400)', async () => {
    expect((await ban('987654321')).status).toBe(404);
    expect((await ban('nobody')).status).toBe(404);
    const player = await api.signup();
    const noReason = await api.request('POST', `/api/admin/users/${player.user.id}/ban`, {
      token: admin.token,
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.message).toBe('reason is required');
    const self = await ban(admin.user.id);
    expect(self.status).toBe(400);
    expect(self.body.message).toBe('You cannot ban yourself');
    expect((await api.request('GET', '/api/me', { token: player.token })).status).toBe(200);
  });
});

describe('a score removal', () => {
  it('marks the score removed and recomputes the standing exactly: best, time reached, count, sum', async () => {
    const board = await createBoard();
    const [a, b] = [await api.signup(), await api.signup()];
    const [first, , best] = await play(a.token, board, [50, 70, 90]);
    await play(b.token, board, [80]);
    await play(a.token, board, [70]);
    expect((await leaderboard(board)).items.map((e: { user_id: string }) => e.user_id)).toEqual([
      a.user.id,
      b.user.id,
    ]);

    expect((await removeScore(best!)).status).toBe(204);
    const scores = await api.request('GET', `/api/me/scores?board=${board}`, { token: a.token });
    expect(scores.body.items.find((s: { id: string }) => s.id === best)).toMatchObject({
      status: 'removed',
    });
    const stats = await api.request('GET', `/api/me/stats?board=${board}`, { token: a.token });
    expect(stats.body).toMatchObject({ total_scores: 3, high_score: 70, average: 190 / 3 });
    const board1 = await leaderboard(board);
    expect(board1.items).toEqual([
      expect.objectContaining({ rank: 1, user_id: b.user.id, high_score: 80 }),
      expect.objectContaining({ rank: 2, user_id: a.user.id, high_score: 70 }),
    ]);
    // The best is now 70, first reached by the second score.
    const [reached] = await app.sql<{ created_at: Date }>(
      `SELECT created_at FROM scores WHERE user_id = $1 AND board_id = $2 AND value = 70
        ORDER BY created_at LIMIT 1`,
      [a.user.id, board],
    );
    expect(board1.items[1].achieved_at).toBe(reached!.created_at.toISOString());

    const admins = await api.request('GET', `/api/admin/users/${a.user.id}/scores`, {
      token: admin.token,
    });
    expect(admins.body.items.find((s: { id: string }) => s.id === best)).toMatchObject({
      status: 'removed',
      removed_reason: 'modified client',
      removed_at: expect.any(String),
    });
    // Removing every score leaves no standing: off the leaderboard, stats as before any score.
    for (const score of admins.body.items) {
      if (score.status !== 'removed') expect((await removeScore(score.id)).status).toBe(204);
    }
    expect((await leaderboard(board)).items).toEqual([
      expect.objectContaining({ rank: 1, user_id: b.user.id }),
    ]);
    expect((await leaderboard(board)).total_players).toBe(1);
    const none = await api.request('GET', `/api/me/stats?board=${board}`, { token: a.token });
    expect(none.body).toMatchObject({ total_scores: 0, average: 0, high_score: 0 });
    const high = await api.request('GET', `/api/me/high-score?board=${board}`, { token: a.token });
    expect(high.body).toMatchObject({ value: 0, updated_at: null });
    // A new score starts the standing afresh.
    await play(a.token, board, [10]);
    expect(
      (await api.request('GET', `/api/me/stats?board=${board}`, { token: a.token })).body,
    ).toMatchObject({ total_scores: 1, high_score: 10, average: 10 });
    expect((await leaderboard(board)).total_players).toBe(2);
    expect(first).toBeDefined();
  });

  it('recomputes a closed period’s standing, and an asc board’s (its best is the lowest)', async () => {
    const board = await createBoard({ sort: 'asc', reset: 'daily' });
    const [a, b] = [await api.signup(), await api.signup()];
    const [fast] = await play(a.token, board, [10, 30]);
    await play(b.token, board, [20]);
    const [period] = await app.sql<{ id: string }>(
      `WITH closed AS (UPDATE board_periods SET ends_at = now()
                        WHERE board_id = $1 AND ends_at > now() RETURNING id)
       SELECT id::text FROM closed`,
      [board],
    );
    expect((await removeScore(fast!)).status).toBe(204);
    const closed = await leaderboard(board, period!.id);
    expect(closed.items).toEqual([
      expect.objectContaining({ rank: 1, user_id: b.user.id, high_score: 20 }),
      expect.objectContaining({ rank: 2, user_id: a.user.id, high_score: 30 }),
    ]);
  });

  it('of a pending score keeps it from ever being applied', async () => {
    const board = await createBoard();
    const player = await api.signup();
    const [pending] = await app.sql<{ id: string }>(
      `INSERT INTO scores (user_id, idempotency_key, value, board_id, period_id, retry_at)
       SELECT $1, 'pending', 70, $2::varchar, p.id, now() + interval '1 hour'
         FROM board_periods p WHERE p.board_id = $2 AND p.ends_at IS NULL
       RETURNING id::text`,
      [player.user.id, board],
    );
    expect((await removeScore(pending!.id)).status).toBe(204);
    await app.sql(`UPDATE scores SET retry_at = now() WHERE id = $1`, [pending!.id]);
    const stats = await api.request('GET', `/api/me/stats?board=${board}`, {
      token: player.token,
    });
    expect(stats.body).toMatchObject({ total_scores: 0, pending_scores: 0 });
    const [row] = await app.sql<{ applied_at: Date | null }>(
      `SELECT applied_at FROM scores WHERE id = $1`,
      [pending!.id],
    );
    expect(row!.applied_at).toBeNull();
  });

  it('answers 404 for an unknown score, 400 without a reason, and 204 again for a removed one', async () => {
    expect((await removeScore('987654321')).status).toBe(404);
    expect((await removeScore('x')).status).toBe(404);
    const player = await api.signup();
    const [id] = await play(player.token, 'global', [5]);
    const noReason = await api.request('DELETE', `/api/admin/scores/${id}`, {
      token: admin.token,
    });
    expect(noReason.status).toBe(400);
    expect((await removeScore(id!)).status).toBe(204);
    expect((await removeScore(id!)).status).toBe(204);
    const entries = await app.sql(`SELECT 1 FROM audit_log WHERE target = $1`, [`score:${id}`]);
    expect(entries).toHaveLength(1);
  });
});

describe('the audit log', () => {
  it('records every admin action, newest first, and refuses changes', async () => {
    const player = await api.signup();
    const [scoreId] = await play(player.token, 'global', [5]);
    const board = await createBoard();
    await api.request('PATCH', `/api/admin/boards/${board}`, {
      token: admin.token,
      body: { name: 'Renamed' },
    });
    await ban(player.user.id, 'bot');
    await unban(player.user.id);
    await removeScore(scoreId!, 'typo');
    const key = await api.request('POST', '/api/admin/api-keys', {
      token: admin.token,
      body: { name: 'Server', scopes: ['scores:write'] },
    });
    await api.request('DELETE', `/api/admin/api-keys/${key.body.id}`, { token: admin.token });
    await api.request('DELETE', `/api/admin/users/${player.user.id}`, { token: admin.token });

    const page = await api.request('GET', '/api/admin/audit-log?limit=8', { token: admin.token });
    expect(page.status).toBe(200);
    expect(
      page.body.items.map((e: { action: string; target: string; reason: string | null }) => [
        e.action,
        e.target,
        e.reason,
      ]),
    ).toEqual([
      ['users.delete', `user:${player.user.id}`, null],
      ['api-keys.revoke', `api-key:${key.body.id}`, null],
      ['api-keys.create', `api-key:${key.body.id}`, 'Server'],
      ['scores.remove', `score:${scoreId}`, 'typo'],
      ['users.unban', `user:${player.user.id}`, null],
      ['users.ban', `user:${player.user.id}`, 'bot'],
      ['boards.update', `board:${board}`, 'changed name'],
      ['boards.create', `board:${board}`, null],
    ]);
    // The people an entry names, as they are now: the deleted player is no one any more.
    expect(page.body.items[0]).toEqual({
      id: expect.any(String),
      at: expect.any(String),
      actor_id: admin.user.id,
      action: 'users.delete',
      target: `user:${player.user.id}`,
      reason: null,
      actor: { id: admin.user.id, email: admin.email, display_name: expect.any(String) },
      target_user: null,
    });
    const next = await api.request(
      'GET',
      `/api/admin/audit-log?limit=8&cursor=${page.body.next_cursor}`,
      { token: admin.token },
    );
    expect(Number(next.body.items[0].id)).toBeLessThan(Number(page.body.items[7].id));
    await expect(app.sql(`UPDATE audit_log SET reason = 'edited'`)).rejects.toThrow(/append-only/);
    await expect(app.sql(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });
});

describe('privacy', () => {
  it('exports all of the caller’s data in one document', async () => {
    const board = await createBoard();
    const player = await api.signup({ display_name: 'Exporter' });
    const [removed] = await play(player.token, board, [40, 60]);
    await removeScore(removed!, 'duplicate');
    const response = await api.request('GET', '/api/me/export', { token: player.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(response.body.account).toEqual({
      id: player.user.id,
      email: player.email,
      display_name: 'Exporter',
      role: 'player',
      created_at: expect.any(String),
      banned_at: null,
      ban_reason: null,
    });
    expect(JSON.stringify(response.body)).not.toMatch(/argon2|password/);
    expect(response.body.scores).toEqual([
      expect.objectContaining({ id: removed, value: 40, board, status: 'removed' }),
      expect.objectContaining({ value: 60, board, status: 'processed', removed_reason: null }),
    ]);
    expect(response.body.scores[0].removed_reason).toBe('duplicate');
    expect(response.body.standings).toEqual([
      expect.objectContaining({
        board,
        best: 60,
        total_scores: 1,
        sum_scores: '60',
        average: 60,
        period: expect.objectContaining({ id: expect.any(String) }),
      }),
    ]);
  });

  it('deletes the account on DELETE /api/me with the password: every row gone, leaderboards follow, the email free', async () => {
    const player = await api.signup();
    await play(player.token, 'global', [100]);
    const limited = await createBoard({ max_submissions_per_minute: 5 });
    await play(player.token, limited, [3]);
    // A failed login leaves a throttle row for the account.
    await api.request('POST', '/api/auth/login', {
      body: { email: player.email, password: 'wrong password' },
    });
    const before = await leaderboard('global');
    expect(before.items[0].user_id).toBe(player.user.id);

    const wrong = await api.request('DELETE', '/api/me', {
      token: player.token,
      body: { password: 'not it at all' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.message).toBe('Invalid password');
    expect((await api.request('DELETE', '/api/me', { token: player.token })).status).toBe(400);
    expect((await api.request('GET', '/api/me', { token: player.token })).status).toBe(200);

    const deleted = await api.request('DELETE', '/api/me', {
      token: player.token,
      body: { password: player.password },
    });
    expect(deleted.status).toBe(204);
    const [left] = await app.sql<Record<string, number>>(
      `SELECT (SELECT count(*)::int FROM users WHERE id = $1) AS users,
              (SELECT count(*)::int FROM scores WHERE user_id = $1) AS scores,
              (SELECT count(*)::int FROM user_stats WHERE user_id = $1) AS standings,
              (SELECT count(*)::int FROM submission_windows WHERE user_id = $1) AS windows,
              (SELECT count(*)::int FROM leaderboard_changes WHERE user_id = $1) AS changes,
              (SELECT count(*)::int FROM login_failures WHERE key = $2) AS throttle`,
      [player.user.id, `account:${player.email.toLowerCase()}`],
    );
    expect(left).toEqual({
      users: 0,
      scores: 0,
      standings: 0,
      windows: 0,
      changes: 0,
      throttle: 0,
    });
    const after = await leaderboard('global');
    expect(after.total_players).toBe(before.total_players - 1);
    expect(after.items.map((e: { user_id: string }) => e.user_id)).not.toContain(player.user.id);
    expect((await api.request('GET', '/api/me', { token: player.token })).status).toBe(401);
    expect((await api.submitScore(player.token, 5)).status).toBe(401);
    const again = await api.request('POST', '/api/auth/signup', {
      body: { email: player.email, password: player.password },
    });
    expect(again.status).toBe(201);
  });

  it('lets an admin delete an account (DELETE /api/admin/users/:id), 404 for an unknown one', async () => {
    const player = await api.signup();
    await play(player.token, 'global', [1]);
    const deleted = await api.request('DELETE', `/api/admin/users/${player.user.id}`, {
      token: admin.token,
    });
    expect(deleted.status).toBe(204);
    expect((await api.request('GET', '/api/me', { token: player.token })).status).toBe(401);
    const again = await api.request('DELETE', `/api/admin/users/${player.user.id}`, {
      token: admin.token,
    });
    expect(again.status).toBe(404);
    const [rows] = await app.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM scores WHERE user_id = $1`,
      [player.user.id],
    );
    expect(rows!.n).toBe(0);
  });
});

describe('reconcile after moderation', () => {
  it('finds every standing equal to its recomputation (removed scores not counted)', async () => {
    await allScoresApplied(app);
    const report = await runCli(app, ['reconcile']);
    expect(report.output).toContain('No drift');
    expect(report.code).toBe(0);
  });
});
