import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';

let app: TestApp;
let api: ApiClient;

beforeAll(async () => {
  app = await startTestApp('scores');
  api = new ApiClient(app.baseUrl);
});
afterAll(() => app.close());

const countScores = async (userId: string) =>
  Number(
    (
      await app.sql<{ n: string }>('SELECT count(*) AS n FROM scores WHERE user_id = $1', [userId])
    )[0]!.n,
  );

describe('POST /api/scores', () => {
  it('stores a new score and answers 201 with it', async () => {
    const { token, user } = await api.signup();
    const response = await api.submitScore(token, 42, 'first-key');
    expect(response.status).toBe(201);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(response.body).toEqual({
      id: expect.any(String),
      value: 42,
      created_at: expect.any(String),
      message: 'Score submitted successfully',
    });
    const [row] = await app.sql('SELECT value, idempotency_key FROM scores WHERE id = $1', [
      response.body.id,
    ]);
    expect(row).toEqual({ value: 42, idempotency_key: 'first-key' });
    expect(await countScores(user.id)).toBe(1);
  });

  it('replays the original score when the same key is sent again, with any value', async () => {
    const { token, user } = await api.signup();
    const original = await api.submitScore(token, 10, 'replayed-key');
    const replay = await api.submitScore(token, 99, 'replayed-key');
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual({ ...original.body, message: 'Score already submitted' });
    expect(await countScores(user.id)).toBe(1);
  });

  it('takes the key from the Idempotency-Key header and treats it like the body field', async () => {
    const { token, user } = await api.signup();
    const viaHeader = await api.request('POST', '/api/scores', {
      token,
      body: { value: 7 },
      headers: { 'idempotency-key': 'header-key' },
    });
    expect(viaHeader.status).toBe(201);
    const viaBody = await api.submitScore(token, 7, 'header-key');
    expect(viaBody.headers.get('idempotent-replayed')).toBe('true');
    expect(viaBody.body.id).toBe(viaHeader.body.id);
    const both = await api.request('POST', '/api/scores', {
      token,
      body: { value: 7, idempotency_key: 'header-key' },
      headers: { 'idempotency-key': 'header-key' },
    });
    expect(both.body.id).toBe(viaHeader.body.id);
    expect(await countScores(user.id)).toBe(1);
  });

  it('keeps keys per user: the same key from two users makes two scores', async () => {
    const alice = await api.signup();
    const bob = await api.signup();
    const fromAlice = await api.submitScore(alice.token, 5, 'shared-key');
    const fromBob = await api.submitScore(bob.token, 6, 'shared-key');
    expect(fromAlice.status).toBe(201);
    expect(fromBob.status).toBe(201);
    expect(fromBob.headers.get('idempotent-replayed')).toBeNull();
    expect(fromBob.body).toMatchObject({ value: 6, message: 'Score submitted successfully' });
    expect(fromBob.body.id).not.toBe(fromAlice.body.id);
  });

  it('stores one row for 100 concurrent identical requests and answers all with its id', async () => {
    const { token, user } = await api.signup();
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => api.submitScore(token, 77, key)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect(await countScores(user.id)).toBe(1);
  });

  it('accepts the bounds of the range', async () => {
    const { token } = await api.signup();
    expect((await api.submitScore(token, 0)).status).toBe(201);
    expect((await api.submitScore(token, 100)).status).toBe(201);
  });

  describe('refuses bad input with 400 and stores nothing', () => {
    const validKey = () => randomUUID();
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['a string value', { value: '50', idempotency_key: validKey() }, /value must be an integer/],
      ['a fraction', { value: 50.5, idempotency_key: validKey() }, /value must be an integer/],
      ['a boolean', { value: true, idempotency_key: validKey() }, /value must be an integer/],
      ['null', { value: null, idempotency_key: validKey() }, /value is required/],
      ['an array', { value: [50], idempotency_key: validKey() }, /value must be an integer/],
      ['an object', { value: { n: 50 }, idempotency_key: validKey() }, /value must be an integer/],
      ['a missing value', { idempotency_key: validKey() }, /value is required/],
      [
        'a value below SCORE_MIN',
        { value: -1, idempotency_key: validKey() },
        /value must be between 0 and 100/,
      ],
      [
        'a value above SCORE_MAX',
        { value: 101, idempotency_key: validKey() },
        /value must be between 0 and 100/,
      ],
      [
        'a huge value',
        { value: 1e300, idempotency_key: validKey() },
        /value must be between 0 and 100/,
      ],
      [
        'an empty key',
        { value: 5, idempotency_key: '' },
        /idempotency_key must be a string of 1 to 255 visible ASCII/,
      ],
      [
        'a key of 256 characters',
        { value: 5, idempotency_key: 'k'.repeat(256) },
        /idempotency_key must be a string of 1 to 255/,
      ],
      [
        'a key with a space',
        { value: 5, idempotency_key: 'has space' },
        /idempotency_key must be a string of 1 to 255/,
      ],
      [
        'a key with a control character',
        { value: 5, idempotency_key: 'tab\there' },
        /idempotency_key must be a string of 1 to 255/,
      ],
      [
        'a non-ASCII key',
        { value: 5, idempotency_key: 'clé' },
        /idempotency_key must be a string of 1 to 255/,
      ],
      [
        'a numeric key',
        { value: 5, idempotency_key: 12345 },
        /idempotency_key must be a string of 1 to 255/,
      ],
      ['no key at all', { value: 5 }, /idempotency_key is required/],
      [
        'an unknown field',
        { value: 5, idempotency_key: validKey(), player: '1' },
        /player is not an allowed field/,
      ],
      [
        'a user_id with a player token',
        { value: 5, idempotency_key: validKey(), user_id: '1' },
        /user_id is only accepted with an API key/,
      ],
    ];

    it.each(cases)('%s', async (_name, body, message) => {
      const { token, user } = await api.signup();
      const response = await api.request('POST', '/api/scores', { token, body });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.message).toMatch(message);
      expect(await countScores(user.id)).toBe(0);
    });

    it('accepts a key of exactly 255 visible characters', async () => {
      const { token } = await api.signup();
      expect((await api.submitScore(token, 5, '~'.repeat(255))).status).toBe(201);
    });

    it.each([
      [
        'a body key and a different header key',
        { value: 5, idempotency_key: 'a' },
        { 'idempotency-key': 'b' },
        /differ/,
      ],
      [
        'an invalid header key',
        { value: 5 },
        { 'idempotency-key': 'two words' },
        /Idempotency-Key header must be/,
      ],
    ])('%s', async (_name, body, headers, message) => {
      const { token, user } = await api.signup();
      const response = await api.request('POST', '/api/scores', { token, body, headers });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(message);
      expect(await countScores(user.id)).toBe(0);
    });

    it.each([
      ['malformed JSON', '{"value": 5,'],
      ['a JSON array', '[{"value": 5, "idempotency_key": "k"}]'],
      ['a JSON string', '"hello"'],
      ['an empty body', ''],
    ])('%s', async (_name, rawBody) => {
      const { token, user } = await api.signup();
      const response = await api.request('POST', '/api/scores', {
        token,
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.any(String));
      expect(await countScores(user.id)).toBe(0);
    });
  });

  it('answers 413 for a body over 16 KiB and stores nothing', async () => {
    const { token, user } = await api.signup();
    const response = await api.request('POST', '/api/scores', {
      token,
      body: { value: 5, idempotency_key: 'k', padding: 'x'.repeat(17 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413, message: expect.any(String) });
    expect(await countScores(user.id)).toBe(0);
  });

  it('answers 401, not 500, for a valid token whose user no longer exists', async () => {
    const { token, user } = await api.signup();
    await app.sql('DELETE FROM users WHERE id = $1', [user.id]);
    const response = await api.submitScore(token, 5);
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Invalid or expired token');
  });

  it('answers 401 without a token and stores nothing', async () => {
    const before = await app.sql('SELECT count(*) FROM scores');
    const response = await api.request('POST', '/api/scores', {
      body: { value: 5, idempotency_key: 'k' },
    });
    expect(response.status).toBe(401);
    expect(await app.sql('SELECT count(*) FROM scores')).toEqual(before);
  });
});

describe('GET /api/me/scores', () => {
  it('pages through the caller’s scores newest first with a cursor', async () => {
    const { token } = await api.signup();
    const submitted = [];
    for (let value = 1; value <= 5; value++)
      submitted.push((await api.submitScore(token, value)).body);
    const first = await api.request('GET', '/api/me/scores?limit=2', { token });
    expect(first.status).toBe(200);
    expect(first.body.items.map((s: { value: number }) => s.value)).toEqual([5, 4]);
    expect(first.body.items[0]).toEqual({
      id: submitted[4].id,
      value: 5,
      board: 'global',
      created_at: submitted[4].created_at,
      status: expect.stringMatching(/^(pending|processed)$/),
    });
    const second = await api.request(
      'GET',
      `/api/me/scores?limit=2&cursor=${first.body.next_cursor}`,
      { token },
    );
    expect(second.body.items.map((s: { value: number }) => s.value)).toEqual([3, 2]);
    const third = await api.request(
      'GET',
      `/api/me/scores?limit=2&cursor=${second.body.next_cursor}`,
      { token },
    );
    expect(third.body.items.map((s: { value: number }) => s.value)).toEqual([1]);
    expect(third.body.next_cursor).toBeNull();
  });

  it('defaults to 20 items and shows only the caller’s scores', async () => {
    const alice = await api.signup();
    const bob = await api.signup();
    for (let i = 0; i < 22; i++) await api.submitScore(alice.token, i % 100);
    await api.submitScore(bob.token, 1);
    const page = await api.request('GET', '/api/me/scores', { token: alice.token });
    expect(page.body.items).toHaveLength(20);
    expect(page.body.next_cursor).not.toBeNull();
    const bobs = await api.request('GET', '/api/me/scores', { token: bob.token });
    expect(bobs.body.items).toHaveLength(1);
  });

  it.each(['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'cursor=abc', 'cursor=-1', 'other=1'])(
    'refuses %s with 400',
    async (query) => {
      const { token } = await api.signup();
      const response = await api.request('GET', `/api/me/scores?${query}`, { token });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.any(String));
    },
  );
});

describe('GET /api/me/scores/:id', () => {
  it('answers the caller’s own score', async () => {
    const { token } = await api.signup();
    const submitted = await api.submitScore(token, 33);
    const response = await api.request('GET', `/api/me/scores/${submitted.body.id}`, { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: submitted.body.id,
      value: 33,
      board: 'global',
      created_at: submitted.body.created_at,
      status: expect.stringMatching(/^(pending|processed)$/),
    });
  });

  it('answers 404 for another user’s score, an unknown id and a malformed id', async () => {
    const alice = await api.signup();
    const bob = await api.signup();
    const bobsScore = await api.submitScore(bob.token, 50);
    for (const id of [bobsScore.body.id, '999999999', 'not-an-id']) {
      const response = await api.request('GET', `/api/me/scores/${id}`, { token: alice.token });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'Score not found',
      });
    }
  });
});
