import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './app.module';
import { createLogger, NestPinoLogger } from './common/logger';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { createHttpApp } from './http-app';
import { serveMetrics } from './metrics/metrics-server';
import { Metrics } from './metrics/metrics.service';

/**
 * Starts the process in its ROLE: `all` (default) serves HTTP and runs the worker, `api` serves
 * HTTP only, `worker` runs the worker in an application context with no HTTP server.
 */
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

  let app: INestApplicationContext | undefined;
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
    if (config.runsApi) {
      const http = await createHttpApp(config, logger);
      app = http;
      await http.listen(config.port);
      logger.info(
        `Scoreboard (${config.role}) listening on http://localhost:${config.port} (API under /api, docs at /api/docs)`,
      );
    } else {
      app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
        logger: new NestPinoLogger(logger),
      });
      await app.init();
      if (config.metricsPort) {
        await serveMetrics(app.get(Metrics), config.metricsPort);
        logger.info(`Worker metrics on http://localhost:${config.metricsPort}/metrics`);
      }
      logger.info('Scoreboard worker running');
    }
  } catch (error) {
    logger.fatal({ err: error }, 'Failed to start');
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    process.exit(1);
  }
}

void main();
