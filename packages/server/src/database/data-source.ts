import { DataSource, type DataSourceOptions } from 'typeorm';
import { User } from '../users/user.entity';
import { InitialSchema1795490000000 } from './migrations/1795490000000-initial-schema';
import { ScoreProcessing1795493000000 } from './migrations/1795493000000-score-processing';
import { RankingKeyIndex1795496000000 } from './migrations/1795496000000-ranking-key-index';

export const entities = [User];
export const migrations = [
  InitialSchema1795490000000,
  ScoreProcessing1795493000000,
  RankingKeyIndex1795496000000,
];

/** Any number from a fixed range; only used as the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_301_998_412;

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: 20 },
  };
}

/**
 * Applies pending migrations. Several processes may start at once against one database: an
 * advisory lock makes them take turns, and the later ones find nothing left to apply.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
