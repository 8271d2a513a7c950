import { DataSource } from 'typeorm';
import { expect } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source';
import { Reconciler } from '../../src/processing/reconciler';
import type { PrivatePostgres } from './private-postgres';
import { waitFor } from './wait-for';

/**
 * After a fault: waits until no score is pending, then checks that every acknowledged score (id
 * to value) is stored once with its value and none went to the dead letters, and that reconcile
 * finds no standing that differs from its scores.
 */
export async function expectAcknowledgedScoresApplied(
  postgres: PrivatePostgres,
  acknowledged: Map<string, number>,
): Promise<void> {
  await waitFor(
    async () =>
      (
        await postgres.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM scores WHERE applied_at IS NULL',
        )
      )[0]!.n === 0,
    { timeoutMs: 60_000, what: 'every score to be applied' },
  );
  const stored = await postgres.query<{ id: string; value: number; dead: boolean }>(
    `SELECT id::text, value, dead_at IS NOT NULL AS dead FROM scores WHERE id = ANY($1::bigint[])`,
    [[...acknowledged.keys()]],
  );
  expect(stored.length).toBe(acknowledged.size);
  expect(stored.filter((row) => row.dead)).toEqual([]);
  expect(stored.every((row) => acknowledged.get(row.id) === row.value)).toBe(true);
  const dataSource = await new DataSource(dataSourceOptions(postgres.url)).initialize();
  try {
    expect(await new Reconciler(dataSource).findDrift()).toEqual([]);
  } finally {
    await dataSource.destroy();
  }
}
