import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createLogger } from './common/logger';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { createHttpApp } from './http-app';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);

  let embedded: EmbeddedPostgres | undefined;
  if (!config.databaseUrl) {
    const started = await EmbeddedPostgres.start(config.dataDir, (line) => logger.info(line));
    embedded = started.server;
    config = config.withDatabaseUrl(started.url);
  }

  let app: INestApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    try {
      await app?.close();
    } finally {
      await embedded?.stop();
      logger.info('Stopped');
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    app = await createHttpApp(config, logger);
    await app.listen(config.port);
    logger.info(
      `Scoreboard listening on http://localhost:${config.port} (API under /api, docs at /api/docs)`,
    );
  } catch (error) {
    logger.fatal({ err: error }, 'Failed to start');
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    process.exit(1);
  }
}

void main();
