import cluster, { type Worker } from 'node:cluster';
import { createLogger } from './common/logger';
import type { AppConfig, Role } from './config/app-config';
import { runMigrations } from './database/data-source';
import { EmbeddedPostgres } from './database/embedded-postgres';
import { serveHostMetrics } from './metrics/host-metrics';

const REPEATED_SIGNAL_MS = 1000;
/** A process that lived less than this before dying is restarted after a growing delay. */
const STABLE_AFTER_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** Beyond the processes' own SHUTDOWN_TIMEOUT_MS, before the primary stops waiting for them. */
const SHUTDOWN_MARGIN_MS = 5000;

/** One of the HTTP processes, kept across its replacements. */
type Slot = {
  role: Role;
  worker?: Worker;
  startedAt: number;
  listening: boolean;
  quickFailures: number;
  restart?: NodeJS.Timeout;
};

/**
 * API_PROCESSES above 1: this process, the cluster's primary, serves nothing itself. It starts the
 * embedded PostgreSQL (without DATABASE_URL) and applies the migrations, once, then forks the HTTP
 * processes, which share PORT (Node's cluster hands each new connection to the next process in
 * turn). With ROLE=all the first process runs ROLE=all, so the worker loops (processing, sweeper,
 * leaderboard upkeep, period finalizer, webhook dispatcher) run once per host as they would in one
 * process, and the others run ROLE=api. A process that dies is replaced in its slot, with its role.
 *
 * SIGTERM or SIGINT is passed on to every process, each drains as it would alone, and the primary
 * exits when all have stopped: 0 when every one exited 0. A second signal kills them at once.
 */
export async function runApiProcesses(config: AppConfig): Promise<void> {
  const logger = createLogger(config);
  const slots: Slot[] = Array.from({ length: config.apiProcesses }, (_, index) => ({
    role: index === 0 ? config.role : 'api',
    startedAt: 0,
    listening: false,
    quickFailures: 0,
  }));
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  let stopping: number | undefined;
  let started = false;
  let failed = false;

  const running = () => slots.filter((slot) => slot.worker !== undefined);
  const exit = async (code: number) => {
    await embedded?.stop();
    process.exit(code);
  };
  const stopAll = (signal: NodeJS.Signals) => {
    for (const slot of slots) {
      clearTimeout(slot.restart);
      slot.worker?.process.kill(signal);
    }
  };
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      if (Date.now() - stopping < REPEATED_SIGNAL_MS) return;
      logger.warn({ signal }, 'Second signal: killing the HTTP processes');
      stopAll('SIGKILL');
      return void exit(1);
    }
    stopping = Date.now();
    logger.info({ signal, processes: running().length }, 'Shutting down the HTTP processes');
    setTimeout(() => {
      logger.error('The HTTP processes took too long to stop: killing them');
      stopAll('SIGKILL');
      void exit(1);
    }, config.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS).unref();
    stopAll(signal);
    if (running().length === 0) void exit(failed ? 1 : 0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  serveHostMetrics(() =>
    slots.flatMap((slot) => (slot.worker && slot.listening ? [slot.worker] : [])),
  );

  const fork = (slot: Slot) => {
    slot.startedAt = Date.now();
    slot.listening = false;
    const worker = cluster.fork({ ROLE: slot.role, DATABASE_URL: databaseUrl });
    slot.worker = worker;
    worker.on('listening', () => {
      slot.listening = true;
      if (!started && slots.every((each) => each.listening)) {
        started = true;
        logger.info(
          { processes: slots.length },
          `Ready: http://localhost:${config.port} served by ${slots.length} processes`,
        );
      }
    });
    worker.on('exit', (code, signal) => {
      slot.worker = undefined;
      const child = worker.process.pid; // not `pid`: every line carries the primary's
      if (stopping !== undefined) {
        if (code !== 0) failed = true;
        if (running().length === 0) {
          logger.info({ failed }, 'Stopped');
          void exit(failed ? 1 : 0);
        }
        return;
      }
      if (!started && !slot.listening && signal === null) {
        // A process that exits on its own before it listens (port in use, bad database) will not
        // start on a retry. One killed by a signal (an operator, the OOM killer) is replaced as
        // any other: it says nothing of the next one.
        logger.fatal({ child, code, signal }, 'An HTTP process failed to start: stopping');
        failed = true;
        shutdown('SIGTERM');
        return;
      }
      restart(slot, child, code, signal);
    });
  };

  const restart = (
    slot: Slot,
    child: number | undefined,
    code: number | null,
    signal: string | null,
  ) => {
    const lived = Date.now() - slot.startedAt;
    slot.quickFailures = lived < STABLE_AFTER_MS ? slot.quickFailures + 1 : 0;
    const delayMs =
      slot.quickFailures === 0
        ? 0
        : Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (slot.quickFailures - 1));
    logger.warn(
      { child, code, signal, role: slot.role, delayMs },
      'An HTTP process died: starting another',
    );
    slot.restart = setTimeout(() => fork(slot), delayMs);
  };

  logger.info(describeProcesses(config));
  try {
    if (!databaseUrl) {
      const server = await EmbeddedPostgres.start(config.dataDir, (line) => logger.info(line));
      embedded = server.server;
      databaseUrl = server.url;
    }
    const applied = await runMigrations(databaseUrl);
    if (applied.length > 0) logger.info({ migrations: applied }, 'Migrations applied');
  } catch (error) {
    if (stopping !== undefined) return;
    logger.fatal({ err: error }, 'Failed to start');
    return exit(1);
  }
  if (stopping === undefined) slots.forEach(fork);
}

function describeProcesses(config: AppConfig): string {
  const worker =
    config.role === 'all' ? '; the first also runs the worker' : ' (API only; no worker)';
  return `Scoreboard starting ${config.apiProcesses} HTTP processes on port ${config.port}${worker}`;
}
