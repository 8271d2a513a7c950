import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import {
  dataSourceOptions,
  runMigrations,
  UNBOUNDED_DATABASE_SETTINGS,
} from './database/data-source';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { runDemo } from './demo/demo';
import { PostgresLeaderboardStore } from './leaderboard/postgres-leaderboard.store';
import { RedisLeaderboardStore } from './leaderboard/redis-leaderboard.store';
import { ProcessingRepository } from './processing/processing.repository';
import { OutboxRepository } from './webhooks/outbox.repository';
import { Reconciler, type Drift } from './processing/reconciler';
import { RedisClients } from './redis/redis-clients';
import { User } from './users/user.entity';
import { UsersRepository } from './users/users.repository';

const USAGE = `Usage: scoreboard <command>

Commands:
  migrate                          apply pending database migrations
  reconcile [--fix]                recompute every standing (board, period, user) from scores and
                                   report drift (exit 1 on drift); --fix repairs it
  dead-letters list                list scores parked after their last failed attempt
  dead-letters replay <id>...|--all
                                   queue dead letters again with fresh attempts
  users set-role <email> admin|player
                                   make a user an admin, or a player again (recorded in the
                                   audit log); the only way to make an admin
  demo                             demo players, boards and two weeks of scores, made through
                                   the API (the past ones written as rows with their times, then
                                   applied by the worker; run it again: nothing changes); prints
                                   how to log in
`;

type Command = (dataSource: DataSource, args: string[], config: AppConfig) => Promise<number>;

const print = (line: string) => process.stdout.write(`${line}\n`);

const commands: Record<string, Command> = {
  async migrate(dataSource) {
    const applied = await runMigrations(dataSource);
    print(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
    return 0;
  },

  async reconcile(dataSource, args, config) {
    const fix = args.includes('--fix');
    const reconciler = new Reconciler(dataSource);
    const { drift, countDrift } = fix
      ? await reconciler.repair()
      : { drift: await reconciler.findDrift(), countDrift: await reconciler.findCountDrift() };
    drift.forEach((d) => print(describeDrift(d)));
    countDrift.forEach((c) =>
      print(`period ${c.periodId}: player count ${c.stored} -> ${c.expected}`),
    );
    if (drift.length === 0 && countDrift.length === 0) {
      print('No drift: every standing matches its scores');
      return 0;
    }
    const what =
      `${drift.length} standing(s)` +
      (countDrift.length > 0 ? ` and ${countDrift.length} player count(s)` : '');
    if (!fix) {
      print(`Drift in ${what}; run with --fix to repair`);
      return 1;
    }
    await invalidateLeaderboards(config, dataSource, drift);
    print(`Repaired ${what}`);
    return 0;
  },

  async 'dead-letters'(dataSource, args) {
    const repository = new ProcessingRepository(dataSource, new OutboxRepository());
    if (args[0] === 'list') {
      const letters = await repository.listDeadLetters();
      for (const letter of letters) {
        print(
          `score ${letter.id} user ${letter.userId} value ${letter.value} attempts ${letter.attempts} ` +
            `dead since ${letter.deadAt.toISOString()}: ${letter.lastError ?? ''}`,
        );
      }
      print(`${letters.length} dead letter(s)`);
      return 0;
    }
    if (args[0] === 'replay' && args.length > 1) {
      const ids = args.includes('--all') ? 'all' : args.slice(1);
      if (ids !== 'all' && !ids.every((id) => /^\d{1,18}$/.test(id))) {
        process.stderr.write('Score ids are numbers\n');
        return 2;
      }
      const replayed = await repository.replayDeadLetters(ids);
      print(`Queued ${replayed.length} dead letter(s) again: ${replayed.join(', ')}`);
      return 0;
    }
    process.stderr.write(USAGE);
    return 2;
  },
};

const usersCommand: Command = async (dataSource, args) => {
  const [subcommand, email, role] = args;
  if (subcommand !== 'set-role' || !email || (role !== 'admin' && role !== 'player')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const users = new UsersRepository(dataSource.getRepository(User));
  const changed = await users.setRole(email, role, {
    action: 'users.set-role',
    reason: `set to ${role} from the command line`,
  });
  if (!changed) {
    process.stderr.write(`No user has the email ${email}\n`);
    return 1;
  }
  print(`User ${changed.id} (${email}): ${changed.previous} -> ${role}`);
  return 0;
};
commands.users = usersCommand;

function describeDrift({ boardId, periodId, userId, expected, stored }: Drift): string {
  const pair = (name: string, want: unknown, have: unknown) =>
    want === have ? '' : ` ${name} ${String(have)} -> ${String(want)}`;
  return (
    `board ${boardId} period ${periodId} user ${userId}:` +
    pair('total_scores', expected.totalScores, stored.totalScores) +
    pair('sum_scores', expected.sumScores, stored.sumScores) +
    pair('high_score', expected.highScore, stored.highScore) +
    pair('best_at', expected.achievedAt?.toISOString(), stored.achievedAt?.toISOString()) +
    pair('latest_value', expected.latestValue, stored.latestValue) +
    pair('latest_at', expected.latestAt?.toISOString(), stored.latestAt?.toISOString()) +
    pair('ranked', expected.ranked, stored.ranked)
  );
}

/**
 * Repaired standings reach no leaderboard outbox: have the workers rebuild those periods' Redis
 * rankings (reads use PostgreSQL meanwhile).
 */
async function invalidateLeaderboards(
  config: AppConfig,
  dataSource: DataSource,
  drift: Drift[],
): Promise<void> {
  if (!config.redisUrl || drift.length === 0) return;
  const redis = new RedisClients(config);
  try {
    const store = new RedisLeaderboardStore(redis, new PostgresLeaderboardStore(dataSource));
    const periods = new Map(drift.map((d) => [d.periodId, d.boardId]));
    for (const [periodId, boardId] of periods) await store.invalidate({ boardId, periodId });
    print(`The Redis leaderboards of ${periods.size} period(s) will be rebuilt`);
  } finally {
    await redis.onApplicationShutdown();
  }
}

/** Runs one command against the configured database (the embedded one when DATABASE_URL is unset). */
async function main(argv: string[]): Promise<number> {
  const command = commands[argv[0] ?? ''];
  if (!command && argv[0] !== 'demo') {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await EmbeddedPostgres.start(config.dataDir, () => undefined);
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  try {
    if (!command) {
      // The demo goes through the app itself, with its usual timeouts.
      const { lines } = await runDemo(
        config.withDatabaseUrl(databaseUrl),
        `http://localhost:${config.port}`,
      );
      lines.forEach(print);
      return 0;
    }
    // An operator's command may rightly take long (reconcile over every score): no timeouts.
    const dataSource = new DataSource(dataSourceOptions(databaseUrl, UNBOUNDED_DATABASE_SETTINGS));
    await dataSource.initialize();
    try {
      return await command(dataSource, argv.slice(1), config);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await embedded?.server.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
