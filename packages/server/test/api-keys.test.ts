import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAdmin } from './support/cli';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';
import { waitFor } from './support/wait-for';

/**
 * SPEC 2b over HTTP: API keys for trusted game servers, authoritative boards and the per-board
 * submission rate, against the real server (two instances over one database for the rate).
 */
let app: TestApp;
let api: ApiClient;
let admin: { token: string; email: string; user: { id: string } };

beforeAll(async () => {
  app = await startTestApp('api_keys');
  api = new ApiClient(app.baseUrl);
  admin = await api.signup();
  await makeAdmin(app, admin.email);
});
afterAll(() => app.close());

const boardId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function createBoard(body: Record<string, unknown>): Promise<string> {
  const id = boardId('b');
  const created = await api.request('POST', '/api/admin/boards', {
    token: admin.token,
    body: { id, name: id, ...body },
  });
  expect(created.status).toBe(201);
  return id;
}

async function createKey(body: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const created = await api.request('POST', '/api/admin/api-keys', {
    token: admin.token,
    body: { name: 'Game server', scopes: ['scores:write'], ...body },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const submitWithKey = (
  key: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) =>
  api.request('POST', '/api/scores', {
    headers: { 'x-api-key': key, ...headers },
    body: { idempotency_key: randomUUID(), ...body },
  });

const countScores = async (userId: string) =>
  (
    await app.sql<{ n: number }>('SELECT count(*)::int AS n FROM scores WHERE user_id = $1', [
      userId,
    ])
  )[0]!.n;

describe('API keys', () => {
  it('are created by admins only, shown once, listed without the key, and stored as a hash', async () => {
    const player = await api.signup();
    const forbidden = await api.request('POST', '/api/admin/api-keys', {
      token: player.token,
      body: { name: 'x', scopes: ['scores:write'] },
    });
    expect(forbidden.status).toBe(403);
    expect((await api.request('GET', '/api/admin/api-keys')).status).toBe(401);

    const created = await api.request('POST', '/api/admin/api-keys', {
      token: admin.token,
      body: { name: 'EU-1', scopes: ['scores:write'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'EU-1',
      scopes: ['scores:write'],
      boards: null,
      key: expect.stringMatching(/^sbk_\d+_[A-Za-z0-9_-]{43}$/),
      created_at: expect.any(String),
    });
    const list = await api.request('GET', '/api/admin/api-keys', { token: admin.token });
    const listed = list.body.items.find((item: { id: string }) => item.id === created.body.id);
    expect(listed).toEqual({
      id: created.body.id,
      name: 'EU-1',
      scopes: ['scores:write'],
      boards: null,
      created_at: created.body.created_at,
      last_used_at: null,
      revoked_at: null,
    });
    const secret = /^sbk_\d+_(.+)$/.exec(created.body.key as string)![1]!;
    const [row] = await app.sql<{ key_hash: Buffer; text: string }>(
      `SELECT key_hash, row(id, name, scopes, boards)::text AS text FROM api_keys WHERE id = $1`,
      [created.body.id],
    );
    expect(row!.key_hash.equals(createHash('sha256').update(secret).digest())).toBe(true);
    expect(row!.text).not.toContain(secret);
  });

  it('refuses invalid keys to create with 400, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ scopes: ['scores:write'] }, /name/],
      [{ name: 'x', scopes: [] }, /scopes must hold at least one scope/],
      [{ name: 'x', scopes: ['admin'] }, /scopes may hold scores:write/],
      [{ name: 'x', scopes: 'scores:write' }, /scopes must be an array/],
      [{ name: 'x', scopes: ['scores:write'], boards: [] }, /boards must name at least one/],
      [{ name: 'x', scopes: ['scores:write'], boards: ['no-such-board'] }, /no such board/],
      [{ name: 'x', scopes: ['scores:write'], boards: ['Bad Id'] }, /boards must hold board ids/],
    ];
    for (const [body, message] of cases) {
      const response = await api.request('POST', '/api/admin/api-keys', {
        token: admin.token,
        body,
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.message).toMatch(message);
    }
  });

  it('submit for the player named by user_id, replaying with the player’s own keys', async () => {
    const { key } = await createKey();
    const player = await api.signup();
    const idempotencyKey = randomUUID();
    const first = await submitWithKey(key, {
      value: 40,
      user_id: player.user.id,
      idempotency_key: idempotencyKey,
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ value: 40, message: 'Score submitted successfully' });
    // The game server retries: a replay, answered with the original.
    const retry = await submitWithKey(key, {
      value: 41,
      user_id: Number(player.user.id),
      idempotency_key: idempotencyKey,
    });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toMatchObject({ id: first.body.id, value: 40 });
    // The key is the player's: the player's own client sending it replays too.
    const own = await api.submitScore(player.token, 99, idempotencyKey);
    expect(own.body).toMatchObject({ id: first.body.id, message: 'Score already submitted' });
    const mine = await api.request('GET', '/api/me/scores', { token: player.token });
    expect(mine.body.items).toEqual([expect.objectContaining({ id: first.body.id, value: 40 })]);
    const [stored] = await app.sql<{ api_key_id: string | null }>(
      'SELECT api_key_id::text FROM scores WHERE id = $1',
      [first.body.id],
    );
    expect(stored!.api_key_id).not.toBeNull();
  });

  it('keep last_used_at', async () => {
    const { id, key } = await createKey();
    const player = await api.signup();
    const before = Date.now();
    expect((await submitWithKey(key, { value: 1, user_id: player.user.id })).status).toBe(201);
    const list = await api.request('GET', '/api/admin/api-keys', { token: admin.token });
    const listed = list.body.items.find((item: { id: string }) => item.id === id);
    expect(Date.parse(listed.last_used_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('refuse what SPEC refuses, storing nothing', async () => {
    const { key } = await createKey();
    const player = await api.signup();
    const suspended = await api.signup();
    const banned = await api.request('POST', `/api/admin/users/${suspended.user.id}/ban`, {
      token: admin.token,
      body: { reason: 'cheating' },
    });
    expect(banned.status).toBe(200);

    const noUser = await submitWithKey(key, { value: 5 });
    expect(noUser.status).toBe(400);
    expect(noUser.body.message).toBe('user_id is required with an API key');
    const nullUser = await submitWithKey(key, { value: 5, user_id: null });
    expect(nullUser.status).toBe(400);
    const badType = await submitWithKey(key, { value: 5, user_id: { id: 1 } });
    expect(badType.status).toBe(400);
    for (const unknown of ['999999999', 'abc', 0]) {
      const response = await submitWithKey(key, { value: 5, user_id: unknown });
      expect(response.status, String(unknown)).toBe(404);
      expect(response.body.message).toBe('User not found');
    }
    const ofSuspended = await submitWithKey(key, { value: 5, user_id: suspended.user.id });
    expect(ofSuspended.status).toBe(403);
    expect(ofSuspended.body.message).toBe('Account suspended');

    const both = await submitWithKey(
      key,
      { value: 5, user_id: player.user.id },
      { authorization: `Bearer ${player.token}` },
    );
    expect(both.status).toBe(400);
    expect(both.body.message).toMatch(/not both/);

    for (const wrong of ['', 'nonsense', `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`]) {
      const response = await submitWithKey(wrong, { value: 5, user_id: player.user.id });
      expect(response.status, wrong).toBe(401);
      expect(response.body).toMatchObject({ statusCode: 401, message: 'Invalid API key' });
    }
    const withToken = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 5, idempotency_key: randomUUID(), user_id: player.user.id },
    });
    expect(withToken.status).toBe(400);
    expect(withToken.body.message).toBe('user_id is only accepted with an API key');
    expect(await countScores(player.user.id)).toBe(0);
    expect(await countScores(suspended.user.id)).toBe(0);
  });

  it('with a list of boards write to those only (403 elsewhere)', async () => {
    const allowed = await createBoard({});
    const other = await createBoard({});
    const { key } = await createKey({ boards: [allowed] });
    const player = await api.signup();
    expect(
      (await submitWithKey(key, { value: 5, user_id: player.user.id, board: allowed })).status,
    ).toBe(201);
    for (const board of [other, undefined]) {
      const response = await submitWithKey(key, { value: 5, user_id: player.user.id, board });
      expect(response.status).toBe(403);
      expect(response.body.message).toMatch(/may not submit to board/);
    }
    expect(await countScores(player.user.id)).toBe(1);
  });

  it('answer 401 from the moment they are revoked', async () => {
    const { id, key } = await createKey();
    const player = await api.signup();
    expect((await submitWithKey(key, { value: 5, user_id: player.user.id })).status).toBe(201);
    const revoked = await api.request('DELETE', `/api/admin/api-keys/${id}`, {
      token: admin.token,
    });
    expect(revoked.status).toBe(204);
    const after = await submitWithKey(key, { value: 5, user_id: player.user.id });
    expect(after.status).toBe(401);
    const list = await api.request('GET', '/api/admin/api-keys', { token: admin.token });
    expect(list.body.items.find((item: { id: string }) => item.id === id).revoked_at).toEqual(
      expect.any(String),
    );
    expect(
      (await api.request('DELETE', '/api/admin/api-keys/424242', { token: admin.token })).status,
    ).toBe(404);
  });
});

describe('a revoked API key', () => {
  /**
   * One round: submitters send scores under a fresh key, one request after another, until it
   * answers 401; the revoke comes while they run. Whatever was stored under the key is stored by
   * the moment the revoke's 204 arrives (no submission in flight then stores anything after), and
   * each stored score was answered 201.
   */
  async function revokeUnderLoad(board: string | undefined): Promise<void> {
    const SUBMITTERS = 12;
    const { id, key } = await createKey();
    const player = await api.signup();
    const acknowledged = new Set<string>();
    let revokedAt = Infinity;
    const answeredAfterRevoke: number[] = [];
    let failed = false;
    const submitters = Array.from({ length: SUBMITTERS }, async () => {
      while (!failed) {
        const sentAt = Date.now();
        const response = await submitWithKey(key, { value: 5, user_id: player.user.id, board });
        if (response.status === 201) acknowledged.add(response.body.id);
        if (sentAt > revokedAt) answeredAfterRevoke.push(response.status);
        if (response.status === 401) return;
        expect(response.status).toBe(201);
      }
    });
    let storedAtRevoke: string[];
    try {
      await waitFor(() => acknowledged.size >= 2 * SUBMITTERS, {
        timeoutMs: 30_000,
        what: 'submissions under the key',
      });
      const revoked = await api.request('DELETE', `/api/admin/api-keys/${id}`, {
        token: admin.token,
      });
      revokedAt = Date.now();
      expect(revoked.status).toBe(204);
      storedAtRevoke = await scoresUnderKey(id);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await Promise.allSettled(submitters);
    }

    const stored = await scoresUnderKey(id);
    expect(stored).toEqual(storedAtRevoke);
    expect(new Set(stored)).toEqual(acknowledged);
    expect(answeredAfterRevoke.filter((status) => status !== 401)).toEqual([]);
    const [late] = await app.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM scores s JOIN api_keys k ON k.id = s.api_key_id
        WHERE k.id = $1 AND s.created_at >= k.revoked_at`,
      [id],
    );
    expect(late!.n).toBe(0);
  }

  const scoresUnderKey = async (apiKeyId: string) =>
    (
      await app.sql<{ id: string }>(
        'SELECT id::text FROM scores WHERE api_key_id = $1 ORDER BY id',
        [apiKeyId],
      )
    ).map((row) => row.id);

  it('stores no score after its revoke commits, over many rounds of concurrent submissions', async () => {
    for (let round = 0; round < 10; round++) await revokeUnderLoad(undefined);
  }, 120_000);

  it('stores no score after its revoke commits on a board with a submission rate', async () => {
    const board = await createBoard({ max_submissions_per_minute: 100_000 });
    for (let round = 0; round < 6; round++) await revokeUnderLoad(board);
  }, 120_000);
});

describe('a replay through an API key', () => {
  it('answers the original only when the key may write its board, and 403 revealing nothing otherwise', async () => {
    const restricted = await createBoard({});
    const player = await api.signup();
    const idempotencyKey = 'sec-1';
    const original = await api.submitScore(player.token, 42, idempotencyKey);
    expect(original.status).toBe(201);
    const { key } = await createKey({ boards: [restricted] });
    const refused = await submitWithKey(key, {
      value: 7,
      user_id: player.user.id,
      board: restricted,
      idempotency_key: idempotencyKey,
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('idempotent-replayed')).toBeNull();
    expect(refused.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'This idempotency key was used for a board this API key may not submit to',
    });
    expect(JSON.stringify(refused.body)).not.toContain(original.body.id);
    expect(await countScores(player.user.id)).toBe(1);

    const { key: unrestricted } = await createKey();
    const replayed = await submitWithKey(unrestricted, {
      value: 7,
      user_id: player.user.id,
      board: restricted,
      idempotency_key: idempotencyKey,
    });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toMatchObject({ id: original.body.id, value: 42 });
  });
});

describe('an authoritative board', () => {
  it('refuses scores sent with a player token, and takes those of an API key', async () => {
    const board = await createBoard({ authoritative: true });
    const player = await api.signup();
    const refused = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 5, idempotency_key: randomUUID(), board },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('This board accepts scores from trusted servers only');
    const { key } = await createKey();
    const idempotencyKey = randomUUID();
    const accepted = await submitWithKey(key, {
      value: 5,
      user_id: player.user.id,
      board,
      idempotency_key: idempotencyKey,
    });
    expect(accepted.status).toBe(201);
    // A replay answers before any board rule: the player's client learns its score was taken.
    const replay = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 5, idempotency_key: idempotencyKey, board },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('max_submissions_per_minute', () => {
  it('answers the (N+1)th submission within a minute 429 with Retry-After, storing nothing; replays are free', async () => {
    const board = await createBoard({ max_submissions_per_minute: 3 });
    const player = await api.signup();
    const submit = (idempotencyKey: string = randomUUID()) =>
      api.request('POST', '/api/scores', {
        token: player.token,
        body: { value: 5, idempotency_key: idempotencyKey, board },
      });
    const firstKey = randomUUID();
    expect((await submit(firstKey)).status).toBe(201);
    expect((await submit()).status).toBe(201);
    expect((await submit()).status).toBe(201);
    const limited = await submit();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    const replay = await submit(firstKey);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await countScores(player.user.id)).toBe(3);
    // Another player, and another board, have their own counts.
    const other = await api.signup();
    const theirs = await api.request('POST', '/api/scores', {
      token: other.token,
      body: { value: 5, idempotency_key: randomUUID(), board },
    });
    expect(theirs.status).toBe(201);
    expect((await api.submitScore(player.token, 5)).status).toBe(201);
  });

  it('counts across API instances: concurrent submissions on two servers accept exactly N', async () => {
    const second = await startTestApp('api_keys_second', {}, app);
    try {
      const board = await createBoard({ max_submissions_per_minute: 5 });
      const player = await api.signup();
      const clients = [api, new ApiClient(second.baseUrl)];
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          clients[i % 2]!.request('POST', '/api/scores', {
            token: player.token,
            body: { value: 5, idempotency_key: randomUUID(), board },
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses.filter((status) => status === 201)).toHaveLength(5);
      expect(statuses.filter((status) => status === 429)).toHaveLength(15);
      expect(await countScores(player.user.id)).toBe(5);
    } finally {
      await second.app.close();
    }
  });

  it('treats concurrent copies of one submission as one, never as over the limit', async () => {
    const board = await createBoard({ max_submissions_per_minute: 1 });
    const player = await api.signup();
    const idempotencyKey = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.request('POST', '/api/scores', {
          token: player.token,
          body: { value: 5, idempotency_key: idempotencyKey, board },
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
  });
});
