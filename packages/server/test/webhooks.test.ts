import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { allScoresApplied, startTestApp, type TestApp } from './support/test-app';
import { waitFor, waitForProgress } from './support/wait-for';
import { verifySignature, WebhookReceiver } from './support/webhook-receiver';

/**
 * SPEC 2d, events out: webhook endpoints (admin routes), events written with their facts, and
 * deliveries to a real HTTP receiver on this machine (so WEBHOOK_ALLOW_PRIVATE=true here; the
 * refusal of private addresses has an app of its own below), with short timeouts and backoff.
 */
let app: TestApp;
let api: ApiClient;
let admin: { token: string; user: { id: string } };
const receivers: WebhookReceiver[] = [];

const WEBHOOK_ENV = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_TIMEOUT_MS: '500',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_RETRY_MAX_MS: '400',
  WEBHOOK_RETRY_WINDOW_MS: '600000',
};

beforeAll(async () => {
  app = await startTestApp('webhooks', WEBHOOK_ENV);
  api = new ApiClient(app.baseUrl);
  admin = await signupAdmin(app, api);
});
afterAll(() => app.close());
afterEach(async () => {
  // Each test's endpoints go with it, so that the next test's receivers get only their own.
  await app.sql(`DELETE FROM webhook_endpoints`);
  await Promise.all(receivers.splice(0).map((receiver) => receiver.stop()));
});

async function signupAdmin(target: TestApp, client: ApiClient) {
  const user = await client.signup();
  await target.sql(`UPDATE users SET role = 'admin' WHERE id = $1`, [user.user.id]);
  return user;
}

async function receiver(): Promise<WebhookReceiver> {
  const started = await new WebhookReceiver().start();
  receivers.push(started);
  return started;
}

/**
 * Registers an endpoint once every event of the tests before has been fanned out (an endpoint gets
 * the events that are fanned out after it exists, those committed just before it included).
 */
async function createEndpoint(
  body: Record<string, unknown>,
  client = api,
  token = admin.token,
): Promise<{ id: string; secret: string }> {
  await allScoresApplied(app);
  await waitFor(
    async () =>
      (await app.sql(`SELECT 1 FROM webhook_events WHERE dispatched_at IS NULL LIMIT 1`)).length ===
      0,
    { what: 'the events of earlier tests to be fanned out' },
  );
  const created = await client.request('POST', '/api/admin/webhooks', { token, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const deliveriesOf = async (endpointId: string, client = api, token = admin.token) =>
  (await client.request('GET', `/api/admin/webhooks/${endpointId}/deliveries?limit=100`, { token }))
    .body.items as Array<{
    id: string;
    event_id: string;
    event: string;
    status: string;
    attempts: number;
    last_status_code: number | null;
    last_error: string | null;
  }>;

async function submit(
  token: string,
  value: number,
  board?: string,
  metadata?: Record<string, unknown>,
): Promise<string> {
  const answer = await api.request('POST', '/api/scores', {
    token,
    body: { value, idempotency_key: randomUUID(), ...(board ? { board } : {}), metadata },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id;
}

describe('webhook endpoints (admin)', () => {
  it('shows the secret once, lists, reads, changes and deletes endpoints, each in the audit log', async () => {
    const player = await api.signup();
    const body = { url: 'http://127.0.0.1:9/hook', events: ['score.applied'] };
    expect((await api.request('POST', '/api/admin/webhooks', { body })).status).toBe(401);
    expect(
      (await api.request('POST', '/api/admin/webhooks', { token: player.token, body })).status,
    ).toBe(403);

    const created = await api.request('POST', '/api/admin/webhooks', { token: admin.token, body });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      url: 'http://127.0.0.1:9/hook',
      events: ['score.applied'],
      boards: null,
      enabled: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const id = created.body.id as string;

    const listed = await api.request('GET', '/api/admin/webhooks', { token: admin.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).not.toHaveProperty('secret');
    const read = await api.request('GET', `/api/admin/webhooks/${id}`, { token: admin.token });
    expect(read.body).not.toHaveProperty('secret');

    const patched = await api.request('PATCH', `/api/admin/webhooks/${id}`, {
      token: admin.token,
      body: { enabled: false, events: ['score.applied', 'player.banned'], boards: ['global'] },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      enabled: false,
      events: ['score.applied', 'player.banned'],
      boards: ['global'],
    });

    const deleted = await api.request('DELETE', `/api/admin/webhooks/${id}`, {
      token: admin.token,
    });
    expect(deleted.status).toBe(204);
    expect(
      (await api.request('GET', `/api/admin/webhooks/${id}`, { token: admin.token })).status,
    ).toBe(404);
    expect(
      (await api.request('DELETE', `/api/admin/webhooks/${id}`, { token: admin.token })).status,
    ).toBe(404);

    const audit = await api.request('GET', '/api/admin/audit-log', { token: admin.token });
    const actions = (audit.body.items as Array<{ action: string; target: string }>)
      .filter((entry) => entry.target === `webhook:${id}`)
      .map((entry) => entry.action);
    expect(actions).toEqual(['webhooks.delete', 'webhooks.update', 'webhooks.create']);
  });

  it.each([
    [{ url: 'ftp://example.com/x', events: ['score.applied'] }, 'url must start with http'],
    [{ url: 'not a url', events: ['score.applied'] }, 'url must be an absolute'],
    [{ url: 'http://user:pw@127.0.0.1/x', events: ['score.applied'] }, 'credentials'],
    [{ url: 'http://127.0.0.1/x', events: ['score.created'] }, 'events may hold'],
    [{ url: 'http://127.0.0.1/x', events: [] }, 'at least one event'],
    [{ url: 'http://127.0.0.1/x', events: ['score.applied'], boards: ['nope'] }, 'unknown boards'],
    [{ url: 'http://127.0.0.1/x', events: ['score.applied'], secret: 'x' }, 'secret'],
    [{ events: ['score.applied'] }, 'url is required'],
    [{ url: 'http://no-such-host.invalid/x', events: ['score.applied'] }, 'does not resolve'],
  ])('refuses %j with a 400 that says why', async (body, message) => {
    const answer = await api.request('POST', '/api/admin/webhooks', { token: admin.token, body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(answer.body.message).toContain(message);
  });

  it('answers 404 for endpoints and deliveries that do not exist, whatever the id looks like', async () => {
    for (const path of ['/api/admin/webhooks/999999', '/api/admin/webhooks/abc']) {
      expect((await api.request('GET', path, { token: admin.token })).status).toBe(404);
      expect((await api.request('GET', `${path}/deliveries`, { token: admin.token })).status).toBe(
        404,
      );
      expect(
        (await api.request('POST', `${path}/deliveries/1/redeliver`, { token: admin.token }))
          .status,
      ).toBe(404);
    }
  });
});

describe('deliveries', () => {
  it('delivers score.applied signed with the secret, with the outbox id, the score and the standing', async () => {
    const hook = await receiver();
    const { secret } = await createEndpoint({ url: hook.url, events: ['score.applied'] });
    const player = await api.signup();
    const scoreId = await submit(player.token, 42, undefined, { level: 3, replay: 'r-17' });

    const delivery = await waitFor(
      () => hook.ofType('score.applied').find((d) => d.event.data.score_id === scoreId),
      { what: 'the score.applied delivery' },
    );
    expect(
      verifySignature(secret, delivery.headers['scoreboard-signature'] as string, delivery.body),
    ).toBe(true);
    expect(
      verifySignature(
        'whsec_wrong',
        delivery.headers['scoreboard-signature'] as string,
        delivery.body,
      ),
    ).toBe(false);
    expect(delivery.headers['content-type']).toBe('application/json');
    expect(delivery.headers['scoreboard-event-id']).toBe(delivery.event.id);
    expect(delivery.event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'score.applied',
      created_at: expect.any(String),
      data: {
        score_id: scoreId,
        board: 'global',
        period: expect.any(String),
        user_id: player.user.id,
        value: 42,
        metadata: { level: 3, replay: 'r-17' },
        created_at: expect.any(String),
        applied_at: expect.any(String),
        standing: {
          ranking: 'best',
          value: 42,
          best: 42,
          achieved_at: expect.any(String),
          total_scores: 1,
          average: 42,
          ranked: true,
        },
        rank: null,
      },
    });
    const [stored] = await app.sql<{ id: string }>(
      `SELECT id::text FROM webhook_events WHERE type = 'score.applied' AND data->>'score_id' = $1`,
      [scoreId],
    );
    expect(stored!.id).toBe(delivery.event.id);
  });

  it('writes exactly one score.applied event per applied score, also when a score is delivered twice', async () => {
    await createEndpoint({ url: (await receiver()).url, events: ['score.applied'] });
    const player = await api.signup();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await submit(player.token, i));
    await allScoresApplied(app);
    // The sweeper's and the stream's deliveries of one score find it applied: no second event.
    const [counts] = await app.sql<{ events: number; distinct_scores: number }>(
      `SELECT count(*)::int AS events, count(DISTINCT data->>'score_id')::int AS distinct_scores
         FROM webhook_events WHERE type = 'score.applied' AND data->>'score_id' = ANY($1)`,
      [ids],
    );
    expect(counts).toEqual({ events: 5, distinct_scores: 5 });
  });

  it('writes no score.applied event that no enabled endpoint takes (its events, its boards)', async () => {
    const hook = await receiver();
    const { id: disabled } = await createEndpoint({ url: hook.url, events: ['score.applied'] });
    await api.request('PATCH', `/api/admin/webhooks/${disabled}`, {
      token: admin.token,
      body: { enabled: false },
    });
    await createEndpoint({ url: hook.url, events: ['player.banned', 'score.removed'] });
    const other = await api.request('POST', '/api/admin/boards', {
      token: admin.token,
      body: { id: `hooked-${randomUUID().slice(0, 8)}`, name: 'Hooked' },
    });
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    await createEndpoint({ url: hook.url, events: ['score.applied'], boards: [other.body.id] });
    const player = await api.signup();
    const unwatched = [await submit(player.token, 1), await submit(player.token, 2)];
    const watched = await submit(player.token, 3, other.body.id);
    await allScoresApplied(app);

    const events = await app.sql<{ score_id: string }>(
      `SELECT data->>'score_id' AS score_id FROM webhook_events
        WHERE type = 'score.applied' AND data->>'score_id' = ANY($1)`,
      [[...unwatched, watched]],
    );
    expect(events).toEqual([{ score_id: watched }]);
  });

  it('retries after a 500 and after no answer in time, with the same event id, until a 2xx', async () => {
    const hook = await receiver();
    const answers: Array<number | 'hang'> = [500, 'hang', 200];
    hook.behaviour = () => answers.shift() ?? 200;
    const { id } = await createEndpoint({ url: hook.url, events: ['score.applied'] });
    const player = await api.signup();
    await submit(player.token, 7);

    const [delivery] = await waitFor(
      async () => {
        const deliveries = await deliveriesOf(id);
        return deliveries[0]?.status === 'delivered' ? deliveries : undefined;
      },
      { what: 'the delivery to succeed on its third attempt' },
    );
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 200 });
    expect(hook.received.map((d) => d.event.id)).toEqual([
      delivery!.event_id,
      delivery!.event_id,
      delivery!.event_id,
    ]);
  });

  it('a receiver down for a minute gets every event once it is back', async () => {
    const hook = await receiver();
    const { id } = await createEndpoint({ url: hook.url, events: ['score.applied'] });
    await hook.stop();
    const player = await api.signup();
    const scores = [];
    for (let i = 0; i < 10; i++) scores.push(await submit(player.token, i));
    // Down until every delivery has failed for a minute (its attempts spread over 60 s).
    await waitForProgress(
      async () => {
        const [row] = await app.sql<{ deliveries: number; minute: number; attempts: number }>(
          `SELECT count(*)::int AS deliveries, sum(attempts)::int AS attempts,
                  count(*) FILTER (WHERE last_attempt_at - created_at >= interval '60 seconds')::int
                    AS minute
             FROM webhook_deliveries WHERE endpoint_id = $1`,
          [id],
        );
        return { done: row!.deliveries === 10 && row!.minute === 10, count: row!.attempts ?? 0 };
      },
      { what: 'every delivery to fail for a minute', counter: 'failed attempts' },
    );
    expect((await deliveriesOf(id)).every((d) => d.status === 'pending')).toBe(true);

    await hook.start();
    await waitForProgress(
      async () => {
        const delivered = (await deliveriesOf(id)).filter((d) => d.status === 'delivered');
        return { done: delivered.length === 10, count: delivered.length };
      },
      { what: 'every delivery after the receiver is back', counter: 'delivered' },
    );
    const received = new Set(hook.received.map((d) => d.event.data.score_id));
    expect([...received].sort()).toEqual([...scores].sort());
  });

  it('redelivers a delivery on request, with the same event id', async () => {
    const hook = await receiver();
    const { id } = await createEndpoint({ url: hook.url, events: ['score.applied'] });
    const player = await api.signup();
    await submit(player.token, 3);
    const [delivered] = await waitFor(
      async () => {
        const deliveries = await deliveriesOf(id);
        return deliveries[0]?.status === 'delivered' ? deliveries : undefined;
      },
      { what: 'the first delivery' },
    );
    const answer = await api.request(
      'POST',
      `/api/admin/webhooks/${id}/deliveries/${delivered!.id}/redeliver`,
      { token: admin.token },
    );
    expect(answer.status).toBe(202);
    await waitFor(() => hook.received.length === 2, { what: 'the redelivery' });
    expect(hook.received[1]!.event.id).toBe(delivered!.event_id);
    expect(hook.received[1]!.body).toBe(hook.received[0]!.body);
  });

  it('marks a delivery failed once its retry window is over', async () => {
    const hook = await receiver();
    hook.behaviour = () => 503;
    const { id } = await createEndpoint({ url: hook.url, events: ['score.applied'] });
    const player = await api.signup();
    await submit(player.token, 5);
    await waitFor(async () => (await deliveriesOf(id))[0]?.attempts, { what: 'a first attempt' });
    // The window is 10 minutes here: bring its end forward rather than wait for it.
    await app.sql(`UPDATE webhook_deliveries SET give_up_at = now() WHERE endpoint_id = $1`, [id]);
    const [failed] = await waitFor(
      async () => {
        const deliveries = await deliveriesOf(id);
        return deliveries[0]?.status === 'failed' ? deliveries : undefined;
      },
      { what: 'the delivery to be marked failed' },
    );
    expect(failed).toMatchObject({ status: 'failed', last_status_code: 503 });
    const metrics = await api.request('GET', '/metrics');
    expect(metrics.body).toMatch(/scoreboard_webhook_deliveries_total\{outcome="failed"\} [1-9]/);
    expect(metrics.body).toMatch(/scoreboard_webhook_deliveries_total\{outcome="retried"\} [1-9]/);
  });

  it('sends player.banned, player.unbanned, score.removed and player.deleted', async () => {
    const hook = await receiver();
    await createEndpoint({
      url: hook.url,
      events: ['player.banned', 'player.unbanned', 'score.removed', 'player.deleted'],
    });
    const player = await api.signup();
    const scoreId = await submit(player.token, 9);
    await allScoresApplied(app);
    const userId = player.user.id;
    const as = { token: admin.token };
    expect(
      (
        await api.request('POST', `/api/admin/users/${userId}/ban`, {
          ...as,
          body: { reason: 'r1' },
        })
      ).status,
    ).toBe(200);
    expect((await api.request('POST', `/api/admin/users/${userId}/unban`, as)).status).toBe(200);
    expect(
      (
        await api.request('DELETE', `/api/admin/scores/${scoreId}`, {
          ...as,
          body: { reason: 'r2' },
        })
      ).status,
    ).toBe(204);
    // Delivered before the deletion, which takes the player's events still in the outbox with it.
    await waitFor(() => hook.received.length >= 3, { what: 'three moderation events' });
    expect((await api.request('DELETE', `/api/admin/users/${userId}`, as)).status).toBe(204);

    await waitFor(() => hook.received.length >= 4, { what: 'the player.deleted event' });
    const byType = Object.fromEntries(hook.received.map((d) => [d.event.type, d.event.data]));
    expect(byType).toEqual({
      'player.banned': { user_id: userId, reason: 'r1' },
      'player.unbanned': { user_id: userId },
      'score.removed': {
        score_id: scoreId,
        user_id: userId,
        board: 'global',
        period: expect.any(String),
        reason: 'r2',
      },
      'player.deleted': { user_id: userId },
    });
    expect(new Set(hook.received.map((d) => d.event.id)).size).toBe(4);
  });

  it('an account deletion takes the player’s events out of the outbox, delivered or not', async () => {
    const events = ['score.applied', 'player.banned', 'player.unbanned', 'score.removed'];
    const taking = await receiver();
    const refusing = await receiver();
    refusing.behaviour = () => 500;
    await createEndpoint({ url: taking.url, events: [...events, 'player.deleted'] });
    await createEndpoint({ url: refusing.url, events });
    const player = await api.signup();
    const other = await api.signup();
    const userId = player.user.id;
    const replay = randomUUID();
    const scoreId = await submit(player.token, 7, undefined, { replay });
    await submit(player.token, 8);
    const othersScore = await submit(other.token, 9);
    await allScoresApplied(app);
    const as = { token: admin.token };
    const ban = { ...as, body: { reason: 'r' } };
    expect((await api.request('POST', `/api/admin/users/${userId}/ban`, ban)).status).toBe(200);
    expect((await api.request('POST', `/api/admin/users/${userId}/unban`, as)).status).toBe(200);
    const removal = { ...as, body: { reason: 'r' } };
    expect((await api.request('DELETE', `/api/admin/scores/${scoreId}`, removal)).status).toBe(204);
    // Every event delivered to one endpoint, and retried at the other.
    await waitFor(() => taking.received.length >= 6 && refusing.received.length >= 6, {
      what: 'the events at both endpoints',
    });
    const eventsOf = (user: string) =>
      app.sql<{ type: string }>(
        `SELECT type FROM webhook_events WHERE data->>'user_id' = $1 ORDER BY created_at, type`,
        [user],
      );
    expect((await eventsOf(userId)).map((e) => e.type).sort()).toEqual(
      [
        'player.banned',
        'player.unbanned',
        'score.applied',
        'score.applied',
        'score.removed',
      ].sort(),
    );

    expect((await api.request('DELETE', `/api/admin/users/${userId}`, as)).status).toBe(204);

    // Nothing of the player is left in the outbox but the event that says they are gone.
    expect((await eventsOf(userId)).map((e) => e.type)).toEqual(['player.deleted']);
    const [left] = await app.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_events
        WHERE data->'top' @> jsonb_build_array(jsonb_build_object('user_id', $1::text))
           OR data->>'score_id' = $2 OR data::text LIKE $3`,
      [userId, scoreId, `%${replay}%`],
    );
    expect(left!.n).toBe(0);
    // Another player's events stay, and the refusing endpoint is retried with them only.
    expect((await eventsOf(other.user.id)).map((e) => e.type)).toEqual(['score.applied']);
    await waitFor(() => taking.ofType('player.deleted').length === 1, { what: 'player.deleted' });
    // (An attempt that was under way when the deletion committed may still arrive: the last
    // retries are what the outbox holds now.)
    const retriesFrom = refusing.received.length;
    await waitFor(() => refusing.received.length >= retriesFrom + 3, { what: 'more retries' });
    const retried = refusing.received.slice(-2).map((d) => d.event.data);
    expect(retried.every((data) => data.user_id === other.user.id)).toBe(true);
    expect(retried.some((data) => data.score_id === othersScore)).toBe(true);
  });

  it('an endpoint limited to boards gets only their events; a disabled one gets nothing new', async () => {
    const board = `wh-${randomUUID().slice(0, 8)}`;
    expect(
      (
        await api.request('POST', '/api/admin/boards', {
          token: admin.token,
          body: { id: board, name: board },
        })
      ).status,
    ).toBe(201);
    const limited = await receiver();
    const disabled = await receiver();
    await createEndpoint({ url: limited.url, events: ['score.applied'], boards: [board] });
    const off = await createEndpoint({ url: disabled.url, events: ['score.applied'] });
    await api.request('PATCH', `/api/admin/webhooks/${off.id}`, {
      token: admin.token,
      body: { enabled: false },
    });
    const player = await api.signup();
    await submit(player.token, 1);
    const onBoard = await submit(player.token, 2, board);
    await allScoresApplied(app);
    await waitFor(() => limited.received.length >= 1, { what: 'the board event' });
    await waitFor(
      async () =>
        (await app.sql(`SELECT 1 FROM webhook_events WHERE dispatched_at IS NULL`)).length === 0,
      { what: 'every event to be fanned out' },
    );
    expect(limited.received.map((d) => d.event.data.score_id)).toEqual([onBoard]);
    expect(disabled.received).toEqual([]);
  });
});

describe('retention', () => {
  it('purges events older than 30 days with their deliveries, unless one is still pending', async () => {
    const [endpoint] = await app.sql<{ id: string }>(
      `INSERT INTO webhook_endpoints (url, events, secret, enabled)
       VALUES ('http://127.0.0.1:9/x', '{player.deleted}', 'whsec_test', false) RETURNING id::text`,
    );
    const event = async (age: string, status: string | null) => {
      const [row] = await app.sql<{ id: string }>(
        `INSERT INTO webhook_events (type, data, created_at, dispatched_at)
         VALUES ('player.deleted', '{}', now() - $1::interval, now() - $1::interval)
         RETURNING id::text`,
        [age],
      );
      if (status) {
        await app.sql(
          `INSERT INTO webhook_deliveries (endpoint_id, event_id, status, give_up_at, next_attempt_at)
           VALUES ($1, $2, $3, now() + interval '1 day', now() + interval '1 day')`,
          [endpoint!.id, row!.id, status],
        );
      }
      return row!.id;
    };
    const old = await event('31 days', 'delivered');
    const oldPending = await event('31 days', 'pending');
    const recent = await event('29 days', 'delivered');
    // A new process purges at its start (then once a minute).
    const second = await startTestApp('webhooks_purge', WEBHOOK_ENV, app);
    try {
      await waitFor(
        async () =>
          (await app.sql(`SELECT 1 FROM webhook_events WHERE id = $1`, [old])).length === 0,
        { what: 'the old event to be purged' },
      );
    } finally {
      await second.close();
    }
    const left = await app.sql<{ id: string }>(
      `SELECT id::text FROM webhook_events WHERE id = ANY($1)`,
      [[old, oldPending, recent]],
    );
    expect(left.map((row) => row.id).sort()).toEqual([oldPending, recent].sort());
    const deliveries = await app.sql(`SELECT 1 FROM webhook_deliveries WHERE event_id = $1`, [old]);
    expect(deliveries).toEqual([]);
  });
});

describe('a dead endpoint', () => {
  it('does not slow accepting or applying the scores of its board (within 10 %), nor another endpoint', async () => {
    const healthy = `ok-${randomUUID().slice(0, 8)}`;
    const dead = `dead-${randomUUID().slice(0, 8)}`;
    for (const id of [healthy, dead]) {
      await api.request('POST', '/api/admin/boards', {
        token: admin.token,
        body: { id, name: id },
      });
    }
    const hook = await receiver();
    hook.behaviour = () => 'hang';
    await createEndpoint({ url: hook.url, events: ['score.applied'], boards: [dead] });
    const alive = await receiver();
    await createEndpoint({ url: alive.url, events: ['score.applied'], boards: [healthy] });
    const player = await api.signup();

    // Both boards' scores interleaved in one run, so that the machine's load weighs on both alike.
    const latencies: Record<string, number[]> = { [healthy]: [], [dead]: [] };
    const boards = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? healthy : dead));
    for (let i = 0; i < boards.length; i += 10) {
      await Promise.all(
        boards.slice(i, i + 10).map(async (board) => {
          const started = performance.now();
          await submit(player.token, 1, board);
          latencies[board]!.push(performance.now() - started);
        }),
      );
    }
    await allScoresApplied(app);
    expect(hook.received.length).toBeGreaterThan(0);

    const median = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
    // A few milliseconds of slack: at these sizes 10 % is below the timer's noise.
    expect(median(latencies[dead]!)).toBeLessThanOrEqual(median(latencies[healthy]!) * 1.1 + 3);
    const lags = await app.sql<{ board_id: string; lag_ms: number }>(
      `SELECT board_id,
              (percentile_cont(0.5) WITHIN GROUP
                 (ORDER BY extract(epoch FROM applied_at - created_at)) * 1000)::float8 AS lag_ms
         FROM scores WHERE board_id = ANY($1) GROUP BY board_id`,
      [[healthy, dead]],
    );
    const lag = Object.fromEntries(lags.map((row) => [row.board_id, row.lag_ms]));
    expect(lag[dead]).toBeLessThanOrEqual(lag[healthy]! * 1.1 + 10);
    // The dead endpoint holds its own delivery slots only: the other gets all its events meanwhile.
    await waitFor(() => alive.received.length === 150, { what: 'the live endpoint’s 150 events' });
  });
});

describe('private addresses', () => {
  let strict: TestApp;
  let strictApi: ApiClient;
  let strictAdmin: { token: string };

  beforeAll(async () => {
    strict = await startTestApp('webhooks_strict', {
      ...WEBHOOK_ENV,
      WEBHOOK_ALLOW_PRIVATE: 'false',
    });
    strictApi = new ApiClient(strict.baseUrl);
    strictAdmin = await signupAdmin(strict, strictApi);
  });
  afterAll(() => strict.close());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://10.1.2.3/hook',
    'http://192.168.0.10/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/hook',
    'http://[fd00:ec2::254]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
  ])('refuses %s at creation with a 400', async (url) => {
    const answer = await strictApi.request('POST', '/api/admin/webhooks', {
      token: strictAdmin.token,
      body: { url, events: ['score.applied'] },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.errors).toEqual([{ field: 'url', message: expect.any(String) }]);
  });

  it('marks a delivery to a private address failed without sending it (a name that resolves inside later)', async () => {
    const hook = await receiver();
    // As if its name had resolved to a public address at creation and to 127.0.0.1 since.
    const [endpoint] = await strict.sql<{ id: string }>(
      `INSERT INTO webhook_endpoints (url, events, secret)
       VALUES ($1, '{score.applied}', 'whsec_test') RETURNING id::text`,
      [hook.url.replace('127.0.0.1', 'localhost')],
    );
    const player = await strictApi.signup();
    await strictApi.submitScore(player.token, 10);
    const [failed] = await waitFor(
      async () => {
        const deliveries = await deliveriesOf(endpoint!.id, strictApi, strictAdmin.token);
        return deliveries[0]?.status === 'failed' ? deliveries : undefined;
      },
      { what: 'the delivery to be refused' },
    );
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_status_code: null });
    expect(failed!.last_error).toMatch(/loopback, private, link-local or reserved/);
    expect(hook.received).toEqual([]);
  });
});
