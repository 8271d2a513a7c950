import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { failureClass } from '../common/failure-class';
import { AppConfig } from '../config/app-config';
import { connectWhenReachable, dataSourceOptions } from './data-source';

/** After a failed read the replica is left alone this long, so each read does not pay for it. */
const RESTING_MS = 5000;

/**
 * Thrown by a read on the replica that cannot be answered there: a row it does not hold yet (a
 * period the primary has just created, or that a read would create), so that the read is made on
 * the primary instead.
 */
export class NotOnReplica extends Error {
  override name = 'NotOnReplica';
}

/**
 * The read-only pool of DATABASE_READ_URL, a streaming replica of DATABASE_URL that may lag it.
 * It serves only public reads that may be a little stale (see PublicLeaderboards); every other
 * query, and every read when it is unset, unreachable or failing, goes to the primary. It
 * connects in the background: a replica that is down at start holds nothing back.
 */
@Injectable()
export class ReadReplica implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ReadReplica.name);
  private readonly stopping = new AbortController();
  private dataSource: DataSource | undefined;
  private restingUntil = 0;

  constructor(private readonly config: AppConfig) {}

  /** Whether this process has a replica to read from (the worker never does). */
  get configured(): boolean {
    return this.config.databaseReadUrl !== undefined && this.config.runsApi;
  }

  onModuleInit(): void {
    const url = this.config.databaseReadUrl;
    if (!url || !this.configured) return;
    const options = dataSourceOptions(url, this.config.database);
    // A replica refuses writes anyway; this also keeps a primary named here by mistake read-only.
    options.extra.options = '-c default_transaction_read_only=on';
    connectWhenReachable(options, this.stopping.signal).then(
      async (dataSource) => {
        if (this.stopping.signal.aborted) return dataSource.destroy();
        this.dataSource = dataSource;
      },
      (error: unknown) =>
        this.logger.error({ err: error }, 'Read replica refused: reading from the primary'),
    );
  }

  /** The replica's data source when reads may go to it now; undefined: read from the primary. */
  available(): DataSource | undefined {
    return Date.now() >= this.restingUntil ? this.dataSource : undefined;
  }

  /** A read on the replica failed (not a row it lacks): use the primary for a while. */
  failed(error: unknown): void {
    this.restingUntil = Date.now() + RESTING_MS;
    this.logger.warn(
      { err: error, failureClass: failureClass(error) },
      'Read replica failed: reading from the primary',
    );
  }

  /** Resolves when the replica answers a query; a success ends any rest after a failure. */
  async ping(): Promise<void> {
    if (!this.dataSource) throw new Error('The read replica is not connected');
    await this.dataSource.query('SELECT 1');
    this.restingUntil = 0;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.dataSource?.destroy();
    this.dataSource = undefined;
  }
}
