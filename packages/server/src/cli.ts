import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from './config/app-config';
import { dataSourceOptions, runMigrations } from './database/data-source';
import { EmbeddedPostgres } from './database/embedded-postgres';

const USAGE = `Usage: scoreboard <command>

Commands:
  migrate   apply pending database migrations and exit
`;

type Command = (dataSource: DataSource) => Promise<number>;

const commands: Record<string, Command> = {
  async migrate(dataSource) {
    const applied = await runMigrations(dataSource);
    process.stdout.write(
      applied.length ? `Applied: ${applied.join(', ')}\n` : 'No pending migrations\n',
    );
    return 0;
  },
};

/** Runs one command against the configured database (the embedded one when DATABASE_URL is unset). */
async function main(argv: string[]): Promise<number> {
  const command = commands[argv[0] ?? ''];
  if (!command) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await EmbeddedPostgres.start(config.dataDir, () => undefined);
  const dataSource = new DataSource(dataSourceOptions(config.databaseUrl ?? embedded!.url));
  await dataSource.initialize();
  try {
    return await command(dataSource);
  } finally {
    await dataSource.destroy();
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
