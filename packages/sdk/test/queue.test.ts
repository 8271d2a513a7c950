import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScoreboardClient } from '../src/client.js';
import type { QueueEvent } from '../src/queue.js';
import { MemoryStore, type SubmissionStore } from '../src/store.js';
import {
  refused,
  scriptedFetch,
  stored,
  type Step,
  type Recorded,
} from './support/scripted-fetch.js';

/** A client over the scripted network, retrying at once (no jitter, 1 ms ceiling). */
function clientOver(
  answer: (request: Recorded, index: number) => Step,
  store: SubmissionStore = new MemoryStore(),
) {
  const network = scriptedFetch(answer);
  const client = new ScoreboardClient({
    baseUrl: 'http://scoreboard.test',
    credentials: { token: 'token' },
    fetch: network.fetch,
    store,
    queue: { backoff: { baseMs: 1, maxMs: 5 }, random: () => 0 },
  });
  const events: QueueEvent[] = [];
  client.queue.on((event) => events.push(event));
  return { client, store, events, requests: network.requests };
}

const submissions = (requests: Recorded[]) => requests.filter((r) => r.path === '/api/scores');

describe('SubmissionQueue', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('stores a submission before sending it, and forgets it once answered', async () => {
    const store = new MemoryStore();
    const heldWhenSent: number[] = [];
    const { client, events } = clientOver((request) => {
      void store.load().then((entries) => heldWhenSent.push(entries.length));
      return stored(request);
    }, store);
    const key = await client.submit({ value: 42, board: 'speedrun' });
    await client.queue.whenEmpty();
    expect(heldWhenSent).toEqual([1]);
    expect(await store.load()).toEqual([]);
    expect(events.map((event) => event.type)).toEqual(['queued', 'accepted']);
    expect(events[1]).toMatchObject({ submission: { key, value: 42, board: 'speedrun' } });
  });

  it('sends one at a time, in the order submitted', async () => {
    let inFlight = 0;
    let most = 0;
    const { client, requests } = clientOver((request) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      inFlight -= 1;
      return stored(request);
    });
    await Promise.all([1, 2, 3, 4, 5].map((value) => client.submit({ value })));
    await client.queue.whenEmpty();
    expect(submissions(requests).map((r) => r.body.value)).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(1);
  });

  it('retries no answer, 5xx, 408 and 429 with the same key, then takes the answer', async () => {
    const failures: Step[] = [
      { fail: 'fetch failed' },
      refused(500, 'Internal server error'),
      { ...refused(503, 'Database unavailable'), headers: { 'retry-after': '1' } },
      refused(408, 'Request timeout'),
      { ...refused(429, 'Too many'), headers: { 'retry-after': '1' } },
    ];
    const { client, events, requests } = clientOver((request, index) =>
      index < failures.length ? failures[index]! : stored(request, true),
    );
    const key = await client.submit({ value: 7 });
    await client.queue.whenEmpty();
    expect(submissions(requests).map((r) => r.body.idempotency_key)).toEqual(Array(6).fill(key));
    const retries = events.filter((event) => event.type === 'retrying');
    expect(retries.map((event) => event.attempt)).toEqual([1, 2, 3, 4, 5]);
    // Retry-After (1 s) is honoured up to the backoff's ceiling (5 ms here).
    expect(retries.map((event) => event.delayMs)).toEqual([0, 0, 5, 0, 5]);
    expect(events.at(-1)).toMatchObject({ type: 'replayed', submission: { key } });
  });

  it('never retries a refusal (4xx): reports it, drops it and goes on with the next', async () => {
    const store = new MemoryStore();
    const { client, events, requests } = clientOver(
      (request) => (request.body.value === 1 ? refused(404, 'Board not found') : stored(request)),
      store,
    );
    await client.submit({ value: 1, board: 'gone' });
    await client.submit({ value: 2 });
    await client.queue.whenEmpty();
    expect(submissions(requests).map((r) => r.body.value)).toEqual([1, 2]);
    const refusal = events.find((event) => event.type === 'refused');
    expect(refusal).toMatchObject({ submission: { value: 1 }, error: { status: 404 } });
    expect(refusal?.type === 'refused' && refusal.error.message).toBe('Board not found');
    expect(await store.load()).toEqual([]);
  });

  it('keeps a submission while it fails, and stops at 401 until resumed', async () => {
    let authorized = false;
    const store = new MemoryStore();
    const { client, events, requests } = clientOver(
      (request) => (authorized ? stored(request) : refused(401, 'Invalid or expired token')),
      store,
    );
    const key = await client.submit({ value: 3 });
    await expect.poll(() => events.some((event) => event.type === 'unauthorized')).toBe(true);
    expect((await store.load()).map((entry) => entry.key)).toEqual([key]);
    expect(submissions(requests)).toHaveLength(1);
    authorized = true;
    client.queue.resume();
    await client.queue.whenEmpty();
    expect(submissions(requests).map((r) => r.body.idempotency_key)).toEqual([key, key]);
    expect(await store.load()).toEqual([]);
  });

  it('after a restart, settles by lookup what the server holds and sends the rest with their keys', async () => {
    const store = new MemoryStore();
    // The first run queues three and dies before any answer.
    const first = clientOver(() => ({ fail: 'offline' }), store);
    const keys = [
      await first.client.submit({ value: 1 }),
      await first.client.submit({ value: 2 }),
      await first.client.submit({ value: 3 }),
    ];
    await first.client.queue.stop();
    expect(await store.load()).toHaveLength(3);

    // The server holds the second (its answer was lost).
    const second = clientOver((request) => {
      if (request.path === '/api/scores/lookup') {
        return {
          status: 200,
          body: {
            items: request.body.idempotency_keys.map((key: string) => ({
              idempotency_key: key,
              score:
                key === keys[1]
                  ? { id: '9', value: 2, board: 'global', created_at: '', status: 'processed' }
                  : null,
            })),
          },
        };
      }
      return stored(request);
    }, store);
    await second.client.queue.start();
    await second.client.queue.whenEmpty();
    expect(second.requests[0]).toMatchObject({
      path: '/api/scores/lookup',
      body: { idempotency_keys: keys },
    });
    expect(submissions(second.requests).map((r) => r.body.idempotency_key)).toEqual([
      keys[0],
      keys[2],
    ]);
    expect(second.events.map((event) => event.type).sort()).toEqual([
      'accepted',
      'accepted',
      'replayed',
    ]);
    expect(await store.load()).toEqual([]);
  });

  it('queues while the network does not answer, waiting for the store only', async () => {
    const store = new MemoryStore();
    await store.add({ key: 'from-before', value: 1, queuedAt: new Date().toISOString() });
    const requests: string[] = [];
    const client = new ScoreboardClient({
      baseUrl: 'http://scoreboard.test',
      credentials: { token: 'token' },
      store,
      timeoutMs: 200,
      // Never answers: only the client's timeout ends each request.
      fetch: (input, init) => {
        requests.push(new URL(String(input)).pathname);
        return new Promise((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    await client.submit({ value: 2 });
    expect((await store.load()).map((entry) => entry.value)).toEqual([1, 2]);
    expect(requests.filter((path) => path === '/api/scores')).toEqual([]);
    await client.queue.stop();
    expect(await store.load()).toHaveLength(2);
  });

  it('sends again at once when the browser is back online, and stops listening once stopped', async () => {
    // The browser's window as far as the queue sees it: `online` events and who listens.
    const window = new EventTarget();
    const listening = new Set<unknown>();
    vi.stubGlobal('addEventListener', (type: string, listener: () => void) => {
      listening.add(listener);
      window.addEventListener(type, listener);
    });
    vi.stubGlobal('removeEventListener', (type: string, listener: () => void) => {
      listening.delete(listener);
      window.removeEventListener(type, listener);
    });
    const network = scriptedFetch((request, index) =>
      index === 0 ? { fail: 'offline' } : stored(request),
    );
    const client = new ScoreboardClient({
      baseUrl: 'http://scoreboard.test',
      credentials: { token: 'token' },
      fetch: network.fetch,
      // The retry would wait a minute.
      queue: { backoff: { baseMs: 60_000, maxMs: 60_000 }, random: () => 0.999 },
    });
    const events: QueueEvent[] = [];
    client.queue.on((event) => events.push(event));
    await client.submit({ value: 5 });
    await vi.waitFor(() => expect(events.map((event) => event.type)).toContain('retrying'), {
      timeout: 10_000,
    });
    expect(listening.size).toBe(1);

    window.dispatchEvent(new Event('online'));
    await client.queue.whenEmpty();
    expect(events.map((event) => event.type)).toEqual(['queued', 'retrying', 'accepted']);
    await client.queue.stop();
    expect(listening.size).toBe(0);
  });

  it('after stop, keeps what is submitted and sends it once started again', async () => {
    const { client, requests, store } = clientOver((request) => stored(request));
    await client.queue.start();
    await client.queue.stop();
    const key = await client.submit({ value: 4 });
    expect(submissions(requests)).toEqual([]);
    expect((await store.load()).map((entry) => entry.key)).toEqual([key]);
    await client.queue.start();
    await client.queue.whenEmpty();
    expect(submissions(requests).map((r) => r.body.idempotency_key)).toEqual([key]);
  });

  it('retries when the token function fails, as for a lost request', async () => {
    const network = scriptedFetch((request) => stored(request));
    let calls = 0;
    const client = new ScoreboardClient({
      baseUrl: 'http://scoreboard.test',
      credentials: {
        token: () => {
          calls += 1;
          if (calls === 1) throw new Error('refresh failed');
          return 'token';
        },
      },
      fetch: network.fetch,
      queue: { backoff: { baseMs: 1, maxMs: 5 }, random: () => 0 },
    });
    const events: QueueEvent[] = [];
    client.queue.on((event) => events.push(event));
    await client.submit({ value: 8 });
    await client.queue.whenEmpty();
    expect(events.map((event) => event.type)).toEqual(['queued', 'retrying', 'accepted']);
    expect(events[1]).toMatchObject({ error: { name: 'NetworkError', message: 'refresh failed' } });
  });

  it('sends the stored submissions when the lookup fails', async () => {
    const store = new MemoryStore();
    await store.add({ key: 'left-over', value: 5, queuedAt: new Date().toISOString() });
    const { client, requests } = clientOver(
      (request) =>
        request.path === '/api/scores/lookup' ? { fail: 'offline' } : stored(request, true),
      store,
    );
    await client.queue.whenEmpty();
    expect(submissions(requests).map((r) => r.body.idempotency_key)).toEqual(['left-over']);
  });

  it('looks up a game server’s submissions per player, with user_id', async () => {
    const store = new MemoryStore();
    const queuedAt = new Date().toISOString();
    await store.add({ key: 'a', value: 1, userId: '7', queuedAt });
    await store.add({ key: 'b', value: 2, userId: '8', queuedAt });
    await store.add({ key: 'c', value: 3, userId: '7', queuedAt });
    const { client, requests } = clientOver(
      (request) =>
        request.path === '/api/scores/lookup'
          ? {
              status: 200,
              body: {
                items: request.body.idempotency_keys.map((key: string) => ({
                  idempotency_key: key,
                  score: null,
                })),
              },
            }
          : stored(request),
      store,
    );
    await client.queue.whenEmpty();
    const lookups = requests.filter((r) => r.path === '/api/scores/lookup');
    expect(lookups.map((r) => r.body)).toEqual([
      { idempotency_keys: ['a', 'c'], user_id: '7' },
      { idempotency_keys: ['b'], user_id: '8' },
    ]);
    expect(submissions(requests).map((r) => [r.body.idempotency_key, r.body.user_id])).toEqual([
      ['a', '7'],
      ['b', '8'],
      ['c', '7'],
    ]);
  });
});
