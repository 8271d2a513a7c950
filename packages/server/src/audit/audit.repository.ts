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

/** A person an entry names, as they are now; null once their account is deleted. */
export type AuditPerson = { id: string; email: string; displayName: string };

export type AuditRecord = Required<AuditEntry> & {
  id: string;
  at: Date;
  actor: AuditPerson | null;
  /** The player a `user:<id>` target names. */
  targetUser: AuditPerson | null;
};

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

  /**
   * A page of entries, newest first, with the people they name (the actor, a `user:<id>`
   * target) as they are now; `beforeId` is the last id of the previous page.
   */
  async page(limit: number, beforeId: string | undefined): Promise<AuditRecord[]> {
    const rows = await queryRows<{
      id: string;
      at: Date;
      actor_id: string | null;
      action: string;
      target: string;
      reason: string | null;
      actor: { id: string; email: string; display_name: string } | null;
      target_user: { id: string; email: string; display_name: string } | null;
    }>(
      this.dataSource,
      `SELECT l.id::text, l.at, l.actor_id::text, l.action, l.target, l.reason,
              CASE WHEN a.id IS NOT NULL THEN json_build_object(
                'id', a.id::text, 'email', a.email, 'display_name', a.display_name) END AS actor,
              CASE WHEN t.id IS NOT NULL THEN json_build_object(
                'id', t.id::text, 'email', t.email, 'display_name', t.display_name) END
                AS target_user
         FROM audit_log l
         LEFT JOIN users a ON a.id = l.actor_id
         LEFT JOIN users t ON l.target LIKE 'user:%' AND t.id::text = substring(l.target FROM 6)
        WHERE $1::bigint IS NULL OR l.id < $1::bigint
        ORDER BY l.id DESC LIMIT $2`,
      [beforeId ?? null, limit],
    );
    const person = (user: { id: string; email: string; display_name: string } | null) =>
      user && { id: user.id, email: user.email, displayName: user.display_name };
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actorId: row.actor_id,
      action: row.action,
      target: row.target,
      reason: row.reason,
      actor: person(row.actor),
      targetUser: person(row.target_user),
    }));
  }
}
