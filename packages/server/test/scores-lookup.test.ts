import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAdmin } from './support/cli';
import { ApiClient, type ApiResponse } from './support/api-client';
import { allScoresApplied, startTestApp, type TestApp } from './support/test-app';

/**
 * POST /api/scores/lookup (SPEC 2d): which of the caller's idempotency keys are stored, for a
 * client that lost the answers of its submissions.
 */
let app: TestApp;
let api: ApiClient;
let admin: { token: string; email: string };

beforeAll(async () => {
  app = await startTestApp('scores_lookup');
  api = new ApiClient(app.baseUrl);
  admin = await api.signup();
  await makeAdmin(app, admin.email);
});
afterAll(() => app.close());

const lookup = (auth: { token?: string; key?: string }, body: unknown): Promise<ApiResponse> =>
  api.request('POST', '/api/scores/lookup', {
    token: auth.token,
    headers: auth.key ? { 'x-api-key': auth.key } : {},
    body,
  });

async function createBoard(): Promise<string> {
  const id = `lookup-${randomUUID().slice(0, 8)}`;
  const created = await api.request('POST', '/api/admin/boards', {
    token: admin.token,
    body: { id, name: id },
  });
  expect(created.status).toBe(201);
  return id;
}

async function createKey(boards?: string[]): Promise<string> {
  const created = await api.request('POST', '/api/admin/api-keys', {
    token: admin.token,
    body: { name: 'Game server', scopes: ['scores:write'], ...(boards ? { boards } : {}) },
  });
  expect(created.status).toBe(201);
  return created.body.key;
}

describe('POST /api/scores/lookup', () => {
  it('answers each key in the order asked, with the stored score as GET /api/me/scores shows it or null', async () => {
    const { token } = await api.signup();
    const first = await api.submitScore(token, 10, 'key-a');
    const second = await api.submitScore(token, 20, 'key-b');
    // Applied first, so that both reads see one status.
    await allScoresApplied(app);
    const response = await lookup(
      { token },
      { idempotency_keys: ['key-b', 'never-sent', 'key-a'] },
    );
    expect(response.status).toBe(200);
    const listed = await api.request('GET', '/api/me/scores', { token });
    const item = (id: string) => listed.body.items.find((score: any) => score.id === id);
    expect(response.body).toEqual({
      items: [
        { idempotency_key: 'key-b', score: item(second.body.id) },
        { idempotency_key: 'never-sent', score: null },
        { idempotency_key: 'key-a', score: item(first.body.id) },
      ],
    });
    expect(response.body.items[0].score).toMatchObject({ value: 20, board: 'global' });
  });

  it('never reveals another user’s score stored under the same key', async () => {
    const alice = await api.signup();
    const bob = await api.signup();
    await api.submitScore(alice.token, 50, 'shared-key');
    const response = await lookup({ token: bob.token }, { idempotency_keys: ['shared-key'] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [{ idempotency_key: 'shared-key', score: null }] });
  });

  it('answers a repeated key once for each time it is asked', async () => {
    const { token } = await api.signup();
    const stored = await api.submitScore(token, 7, 'twice');
    const response = await lookup({ token }, { idempotency_keys: ['twice', 'twice'] });
    expect(response.body.items.map((item: any) => item.score?.id)).toEqual([
      stored.body.id,
      stored.body.id,
    ]);
  });

  it('answers an API key for the player it names, with null for scores on boards it may not write', async () => {
    const player = await api.signup();
    const allowed = await createBoard();
    const other = await createBoard();
    const onAllowed = await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 1, idempotency_key: 'on-allowed', board: allowed },
    });
    await api.request('POST', '/api/scores', {
      token: player.token,
      body: { value: 2, idempotency_key: 'on-other', board: other },
    });
    const keys = ['on-allowed', 'on-other'];

    const unlimited = await lookup(
      { key: await createKey() },
      { idempotency_keys: keys, user_id: player.user.id },
    );
    expect(unlimited.status).toBe(200);
    expect(unlimited.body.items.map((item: any) => item.score?.board ?? null)).toEqual([
      allowed,
      other,
    ]);

    const limited = await lookup(
      { key: await createKey([allowed]) },
      { idempotency_keys: keys, user_id: Number(player.user.id) },
    );
    expect(limited.status).toBe(200);
    expect(limited.body.items).toEqual([
      { idempotency_key: 'on-allowed', score: expect.objectContaining({ id: onAllowed.body.id }) },
      { idempotency_key: 'on-other', score: null },
    ]);
  });

  it('refuses bad input with 400 in the error shape, naming the field', async () => {
    const { token } = await api.signup();
    const cases: [unknown, string][] = [
      [{}, 'idempotency_keys is required'],
      [{ idempotency_keys: 'key' }, 'idempotency_keys must be an array of strings'],
      [{ idempotency_keys: [] }, 'idempotency_keys must hold at least one key'],
      [
        { idempotency_keys: Array.from({ length: 101 }, (_, n) => `k${n}`) },
        'idempotency_keys may hold at most 100 keys',
      ],
      [
        { idempotency_keys: ['ok', 'has space'] },
        'idempotency_keys must hold strings of 1 to 255 visible ASCII characters',
      ],
      [
        { idempotency_keys: [42] },
        'idempotency_keys must hold strings of 1 to 255 visible ASCII characters',
      ],
      [
        { idempotency_keys: ['a'.repeat(256)] },
        'idempotency_keys must hold strings of 1 to 255 visible ASCII characters',
      ],
      [{ idempotency_keys: ['k'], extra: 1 }, 'extra is not an allowed field'],
      [{ idempotency_keys: ['k'], user_id: '1' }, 'user_id is only accepted with an API key'],
    ];
    for (const [body, message] of cases) {
      const response = await lookup({ token }, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message });
    }
    const exactly100 = await lookup(
      { token },
      { idempotency_keys: Array.from({ length: 100 }, (_, n) => `k${n}`) },
    );
    expect(exactly100.status).toBe(200);
    expect(exactly100.body.items).toHaveLength(100);
  });

  it('requires user_id with an API key, and answers 404 for one that names no user', async () => {
    const key = await createKey();
    const missing = await lookup({ key }, { idempotency_keys: ['k'] });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('user_id is required with an API key');
    const unknown = await lookup({ key }, { idempotency_keys: ['k'], user_id: '987654321' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('User not found');
  });

  it('answers 401 without a valid token or key, and 403 for a suspended player', async () => {
    expect((await lookup({}, { idempotency_keys: ['k'] })).status).toBe(401);
    expect((await lookup({ key: 'not-a-key' }, { idempotency_keys: ['k'] })).status).toBe(401);
    const player = await api.signup();
    const banned = await api.request('POST', `/api/admin/users/${player.user.id}/ban`, {
      token: admin.token,
      body: { reason: 'testing' },
    });
    expect(banned.status).toBe(200);
    const response = await lookup({ token: player.token }, { idempotency_keys: ['k'] });
    expect(response.status).toBe(403);
    expect(response.body.message).toBe('Account suspended');
  });
});
