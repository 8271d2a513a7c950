import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository } from '../audit/audit.repository';
import { queryRows } from '../database/sql';

export type ApiKeyScope = 'scores:write';

export type ApiKeyRow = {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  /** The boards the key may write to; null: every board. */
  boards: string[] | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

type Row = {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  boards: string[] | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
};

const COLUMNS = 'id::text, name, scopes, boards, created_at, last_used_at, revoked_at';

/** API keys of trusted game servers: only their hashes are stored. */
/**
 * The advisory lock of one API key (two-int form: this class, and the key's id given as $2):
 * submissions under the key hold it shared until they commit, a revoke exclusively. Row locks
 * would not do alone: a KEY SHARE locker does not wait behind a FOR UPDATE waiter, so a steady
 * stream of submissions could starve a revoke; heavyweight locks queue fairly.
 */
export const API_KEY_LOCK_CLASS = 24_001;
export const API_KEY_LOCK_OBJECT = '($2::bigint % 2147483647)::int';

@Injectable()
export class ApiKeysRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRepository,
  ) {}

  /** Stores a new key's hash, with the audit log entry of its creation. */
  async create(
    fields: Pick<ApiKeyRow, 'name' | 'scopes' | 'boards'> & { keyHash: Buffer },
    actorId: string,
  ): Promise<ApiKeyRow> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<Row>(
        manager,
        `INSERT INTO api_keys (name, scopes, boards, key_hash, created_by)
         VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
        [fields.name, fields.scopes, fields.boards, fields.keyHash, actorId],
      );
      await this.audit.append(manager, {
        actorId,
        action: 'api-keys.create',
        target: `api-key:${row!.id}`,
        reason: fields.name,
      });
      return toApiKey(row!);
    });
  }

  async list(): Promise<ApiKeyRow[]> {
    const rows = await queryRows<Row>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM api_keys ORDER BY api_keys.id DESC`,
    );
    return rows.map(toApiKey);
  }

  /**
   * Revokes the key (from this moment on it is refused), with its audit log entry. Returns false
   * when there is no such key; revoking a revoked key changes nothing.
   */
  async revoke(id: string, actorId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      // Waits for the submissions in flight under the key; those that come later queue behind.
      await manager.query(`SELECT pg_advisory_xact_lock($1, ${API_KEY_LOCK_OBJECT})`, [
        API_KEY_LOCK_CLASS,
        id,
      ]);
      const [row] = await queryRows<{ revoked: boolean }>(
        manager,
        `SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!row) return false;
      if (row.revoked) return true;
      // The clock once the locks are held: after every submission that held the key (see
      // ScoresRepository's SUBMIT) committed, so every score stored under it is older.
      await manager.query(`UPDATE api_keys SET revoked_at = clock_timestamp() WHERE id = $1`, [id]);
      await this.audit.append(manager, {
        actorId,
        action: 'api-keys.revoke',
        target: `api-key:${id}`,
      });
      return true;
    });
  }

  /** What verifying a presented key needs: the stored hash, scopes, boards, revocation. */
  async forVerification(id: string): Promise<(ApiKeyRow & { keyHash: Buffer }) | null> {
    const [row] = await queryRows<Row & { key_hash: Buffer }>(
      this.dataSource,
      `SELECT ${COLUMNS}, key_hash FROM api_keys WHERE id = $1`,
      [id],
    );
    return row ? { ...toApiKey(row), keyHash: row.key_hash } : null;
  }

  async touch(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [id]);
  }
}

function toApiKey(row: Row): ApiKeyRow {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    boards: row.boards,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
