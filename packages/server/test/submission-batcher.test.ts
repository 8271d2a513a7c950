import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmitAttempt } from '../src/scores/scores.repository';
import { SubmissionBatcher } from '../src/scores/submission-batcher';
import { ApiClient } from './support/api-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Group commit: submissions made in one turn of the event loop share one statement, and each
 * gets the outcome it would have had alone (against the real PostgreSQL).
 */
let app: TestApp;
let api: ApiClient;
let batcher: SubmissionBatcher;

beforeAll(async () => {
  app = await startTestApp('submission_batcher');
  api = new ApiClient(app.baseUrl);
  batcher = app.app.get(SubmissionBatcher);
});
afterAll(() => app.close());

const attempt = (overrides: Partial<SubmitAttempt>): SubmitAttempt => ({
  userId: '0',
  idempotencyKey: randomUUID(),
  boardId: 'global',
  value: 50,
  apiKeyId: null,
  metadata: null,
  defaultRange: { min: 0, max: 100 },
  sweepAfterMs: 60_000,
  ...overrides,
});

const statements = async () =>
  Number(
    (
      await app.sql<{ calls: string }>(
        `SELECT coalesce(sum(xact_commit), 0)::text AS calls FROM pg_stat_database
          WHERE datname = current_database()`,
      )
    )[0]!.calls,
  );

describe('SubmissionBatcher', () => {
  it('answers each submission of one batch as if alone: new, same key twice, refused ones', async () => {
    const [a, b, banned] = [await api.signup(), await api.signup(), await api.signup()];
    await app.sql(`UPDATE users SET banned_at = now() WHERE id = $1`, [banned.user.id]);
    const shared = randomUUID();
    const outcomes = await Promise.all([
      batcher.submit(attempt({ userId: a.user.id, idempotencyKey: shared, value: 10 })),
      batcher.submit(attempt({ userId: a.user.id, idempotencyKey: shared, value: 20 })),
      batcher.submit(attempt({ userId: b.user.id, value: 30 })),
      batcher.submit(attempt({ userId: b.user.id, value: 101 })),
      batcher.submit(attempt({ userId: b.user.id, boardId: 'no-such-board' })),
      batcher.submit(attempt({ userId: '987654321' })),
      batcher.submit(attempt({ userId: banned.user.id })),
    ]);
    expect(outcomes.map((o) => [o.player, o.inserted?.value ?? null, o.board?.id ?? null])).toEqual(
      [
        ['active', 10, 'global'],
        // The same key again in the same batch: nothing inserted for it (it then reads the first).
        ['active', null, 'global'],
        ['active', 30, 'global'],
        ['active', null, 'global'],
        ['active', null, null],
        ['missing', null, 'global'],
        ['suspended', null, 'global'],
      ],
    );
    const stored = await app.sql<{ user_id: string; value: number }>(
      `SELECT user_id::text, value FROM scores WHERE user_id = ANY($1::bigint[]) ORDER BY id`,
      [[a.user.id, b.user.id, banned.user.id]],
    );
    expect(stored).toEqual([
      { user_id: a.user.id, value: 10 },
      { user_id: b.user.id, value: 30 },
    ]);
    // A replay, later: the stored score comes back as existing.
    const [replay] = await Promise.all([
      batcher.submit(attempt({ userId: a.user.id, idempotencyKey: shared, value: 99 })),
    ]);
    expect(replay!.existing).toMatchObject({ value: 10 });
    expect(replay!.inserted).toBeNull();
  });

  it('sends the submissions of one turn in one transaction', async () => {
    const player = await api.signup();
    const before = await statements();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        batcher.submit(attempt({ userId: player.user.id, value: i })),
      ),
    );
    expect(outcomes.every((o) => o.inserted !== null)).toBe(true);
    // The batch's own, and the few that the in-process worker and this query commit meanwhile.
    expect((await statements()) - before).toBeLessThan(25);
  });

  it('sends a batch whose statement fails again one submission at a time', async () => {
    const player = await api.signup();
    const results = await Promise.allSettled([
      batcher.submit(attempt({ userId: player.user.id, value: 1 })),
      // Not a bigint: PostgreSQL refuses the whole statement.
      batcher.submit(attempt({ userId: 'not-a-number', value: 2 })),
      batcher.submit(attempt({ userId: player.user.id, value: 3 })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const values = await app.sql<{ value: number }>(
      `SELECT value FROM scores WHERE user_id = $1 ORDER BY value`,
      [player.user.id],
    );
    expect(values.map((row) => row.value)).toEqual([1, 3]);
  });
});
