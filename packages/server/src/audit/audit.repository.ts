import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../database/sql';

/** What an admin (or the command-line tool, actor null) did, to what, and why. */
export type AuditEntry = {
  actorId: string | null;
  action: string;
  target: string;
  reason?: string | null;
};

export type AuditRecord = Required<AuditEntry> & { id: string; at: Date };

/**
 * The audit log: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE). Entries are written
 * in the transaction of the change they describe, so that neither exists without the other.
 */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(db: EntityManager, entry: AuditEntry): Promise<void> {
    await db.query(
      `INSERT INTO audit_log (actor_id, action, target, reason) VALUES ($1, $2, $3, $4)`,
      [entry.actorId, entry.action, entry.target, entry.reason ?? null],
    );
  }

  /** A page of entries, newest first; `beforeId` is the last id of the previous page. */
  async page(limit: number, beforeId: string | undefined): Promise<AuditRecord[]> {
    const rows = await queryRows<{
      id: string;
      at: Date;
      actor_id: string | null;
      action: string;
      target: string;
      reason: string | null;
    }>(
      this.dataSource,
      `SELECT id::text, at, actor_id::text, action, target, reason FROM audit_log
        WHERE $1::bigint IS NULL OR id < $1::bigint
        ORDER BY audit_log.id DESC LIMIT $2`,
      [beforeId ?? null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actorId: row.actor_id,
      action: row.action,
      target: row.target,
      reason: row.reason,
    }));
  }
}
