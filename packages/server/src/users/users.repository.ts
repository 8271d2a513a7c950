import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { Role } from '../common/current-user';
import { queryRows } from '../database/sql';
import { User } from './user.entity';

export class EmailTakenError extends Error {}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Inserts the user; the case-insensitive unique index decides races between equal emails. */
  async create(email: string, passwordHash: string, displayName: string): Promise<User> {
    try {
      const [row] = await this.users.query(
        `INSERT INTO users (email, password_hash, display_name) VALUES ($1, $2, $3)
         RETURNING ${USER_COLUMNS}`,
        [email, passwordHash, displayName],
      );
      return toUser(row);
    } catch (error) {
      if (
        error instanceof QueryFailedError &&
        (error.driverError as { code?: string }).code === UNIQUE_VIOLATION
      ) {
        throw new EmailTakenError(email);
      }
      throw error;
    }
  }

  async findWithPasswordHash(email: string): Promise<User | null> {
    const [row] = await this.users.query(
      `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE lower(email) = lower($1)`,
      [email],
    );
    return row ? { ...toUser(row), passwordHash: row.password_hash } : null;
  }

  /** The user's role and whether they are suspended, or null when there is no such user. */
  async access(id: string): Promise<{ role: Role; suspended: boolean } | null> {
    const [row]: Array<{ role: Role; suspended: boolean }> = await this.users.query(
      'SELECT role, banned_at IS NOT NULL AS suspended FROM users WHERE id = $1',
      [id],
    );
    return row ?? null;
  }

  /** The user's password hash, or null when there is no such user. */
  async passwordHash(id: string): Promise<string | null> {
    const [row]: Array<{ password_hash: string }> = await this.users.query(
      'SELECT password_hash FROM users WHERE id = $1',
      [id],
    );
    return row?.password_hash ?? null;
  }

  /**
   * A page of users, newest first, whose email or display name starts with `query` (ignoring
   * case); `beforeId` is the last id of the previous page.
   */
  async search(query: string, limit: number, beforeId: string | undefined): Promise<User[]> {
    const prefix = `${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows: UserRow[] = await this.users.query(
      `SELECT ${USER_COLUMNS} FROM users
        WHERE (lower(email) LIKE $1 OR lower(display_name) LIKE $1)
          AND ($2::bigint IS NULL OR id < $2::bigint)
        ORDER BY users.id DESC LIMIT $3`,
      [prefix, beforeId ?? null, limit],
    );
    return rows.map(toUser);
  }

  /**
   * Sets a role by email; returns the user's id and previous role, or null when no user has the
   * email. With the audit log entry in the same transaction.
   */
  async setRole(
    email: string,
    role: Role,
    audit: { action: string; reason: string },
  ): Promise<{ id: string; previous: Role } | null> {
    return this.users.manager.transaction(async (manager) => {
      const [row] = await queryRows<{ id: string; previous: Role }>(
        manager,
        `UPDATE users u SET role = $2
           FROM (SELECT id, role FROM users WHERE lower(email) = lower($1) FOR UPDATE) AS old
          WHERE u.id = old.id
          RETURNING u.id::text, old.role AS previous`,
        [email, role],
      );
      if (!row) return null;
      await manager.query(
        `INSERT INTO audit_log (actor_id, action, target, reason) VALUES (NULL, $1, $2, $3)`,
        [audit.action, `user:${row.id}`, audit.reason],
      );
      return row;
    });
  }

  /**
   * Gives the user a new display name; returns the account and the boards where they stand (whose
   * leaderboards show it), or null when the account no longer exists.
   */
  async rename(id: string, displayName: string): Promise<{ user: User; boards: string[] } | null> {
    const [row] = await queryRows<UserRow & { boards: string[] }>(
      this.users.manager.connection,
      `UPDATE users SET display_name = $2 WHERE id = $1
       RETURNING ${USER_COLUMNS},
                 ARRAY(SELECT DISTINCT board_id FROM user_stats WHERE user_id = $1) AS boards`,
      [id, displayName],
    );
    return row ? { user: toUser(row), boards: row.boards } : null;
  }

  /** Display names by user id, for leaderboards (which never show emails). */
  async displayNames(ids: string[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; display_name: string }> = await this.users.query(
      `SELECT id::text, display_name FROM users WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.display_name]));
  }

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }
}

const USER_COLUMNS = 'id::text, email, display_name, role, created_at, banned_at';

type UserRow = {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  created_at: Date;
  banned_at: Date | null;
};

function toUser(row: UserRow): User {
  return Object.assign(new User(), {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    createdAt: row.created_at,
    bannedAt: row.banned_at,
  });
}
