import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WorkerModule } from './app.module';
import { Lifecycle } from './common/lifecycle';
import { createLogger, NestPinoLogger } from './common/logger';
import { splitRedisUrls, type AppConfig } from './config/app-config';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { createHttpApp } from './http-app';
import { serveMetrics } from './metrics/metrics-server';
import { Metrics } from './metrics/metrics.service';

const REPEATED_SIGNAL_MS = 1000;

/**
 * Runs the process in its ROLE: `all` (default) serves HTTP and runs the worker, `api` serves
 * HTTP only, `worker` runs the worker in an application context with no HTTP server.
 *
 * SIGTERM, SIGINT or SIGHUP (the terminal closed) shuts it down: live streams are closed (and new ones refused), in-flight work
 * drains, the pools close, then the embedded PostgreSQL stops. Whatever is left after
 * SHUTDOWN_TIMEOUT_MS is cut, and a second signal exits at once.
 */
export async function runServer(initial: AppConfig): Promise<void> {
  let config = initial;
  const logger = createLogger(config);

  let embedded: EmbeddedPostgres | undefined;
  let app: INestApplicationContext | undefined;
  let stopping: number | undefined; // when the first signal came
  const exit = (code: number) => {
    void embedded?.stop(); // signals it at once; it stops on its own after this process is gone
    process.exit(code);
  };
  const shutdown = async (signal: string) => {
    if (stopping !== undefined) {
      // A wrapper (node --watch, a supervisor) passes on the Ctrl-C its terminal also sent here:
      // a repeat within a second is the same request, not an impatient second one.
      if (Date.now() - stopping < REPEATED_SIGNAL_MS) return;
      logger.warn({ signal }, 'Second signal: exiting now');
      return exit(1);
    }
    stopping = Date.now();
    logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'Shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'Shutdown took too long: exiting');
      exit(1);
    }, config.shutdownTimeoutMs).unref();
    try {
      app?.get(Lifecycle).beginShutdown();
      await app?.close();
      await embedded?.stop();
      logger.info('Stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'Shutdown failed');
      exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Without a handler, a closed terminal would kill the process outright and leave the embedded
  // PostgreSQL running.
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  logger.info(describeMode(config));
  if (config.apiProcessesNote) logger.warn(config.apiProcessesNote);
  try {
    if (!config.databaseUrl) {
      const started = await EmbeddedPostgres.start(config.dataDir, (line) => logger.info(line));
      embedded = started.server;
      config = config.withDatabaseUrl(started.url);
    }
    if (config.runsApi) {
      const http = await createHttpApp(config, logger);
      app = http;
      await http.listen(config.port);
      const own = `http://localhost:${config.port}`;
      logger.info(
        config.dashboardUrl
          ? `Ready: ${config.dashboardUrl} (the dashboard; API at ${own}/api, docs at ${own}/api/docs)`
          : `Ready: ${own} (the dashboard; API under /api, docs at /api/docs)`,
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
      logger.info('Ready: the worker is consuming score events');
    }
  } catch (error) {
    if (stopping !== undefined) return; // a signal arrived while starting; shutdown() ends the process
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      logger.fatal(`Port ${config.port} is in use (another Scoreboard?): stop it or set PORT`);
    } else {
      logger.fatal({ err: error }, 'Failed to start');
    }
    await app?.close().catch(() => undefined);
    await embedded?.stop();
    process.exit(1);
  }
}

/** The first line: what runs here and on what, so that a reader knows the mode at a glance. */
function describeMode(config: AppConfig): string {
  const role = {
    all: 'API and worker',
    api: 'API only',
    worker: 'worker only',
  }[config.role];
  const database = config.databaseUrl
    ? `PostgreSQL at ${describeUrl(config.databaseUrl)}`
    : `embedded PostgreSQL (data in ${config.dataDir})`;
  const events = !config.redisUrl
    ? 'in-process events and leaderboards (no REDIS_URL: one process only)'
    : config.redisCluster
      ? `Redis Cluster through ${splitRedisUrls(config.redisUrl).map(describeUrl).join(', ')}`
      : `Redis at ${describeUrl(config.redisUrl)}`;
  const where = config.runsApi ? ` on port ${config.port}` : '';
  return `Scoreboard starting (${role}${where}; ${config.nodeEnv}): ${database}; ${events}`;
}

/** A URL without its credentials, for a log line. */
function describeUrl(url: string): string {
  const { host, pathname } = new URL(url);
  return `${host}${pathname === '/' ? '' : pathname}`;
}
