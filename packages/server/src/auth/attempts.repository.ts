import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';

export type Reservation = { failures: number; retryAfterSeconds: number };

/**
 * The counts behind login throttling and the signup limit, kept in PostgreSQL so that every API
 * instance sees the same ones. Each is read and changed in one statement under the row's lock, so
 * concurrent requests cannot slip past a limit between a check and a write.
 */
@Injectable()
export class AttemptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts one more login attempt on each key, as a failure until it is known to have succeeded,
   * in a fixed window of `windowSeconds`; returns each key's count and the seconds its window has
   * left. Keys are locked in sorted order, so concurrent logins cannot deadlock.
   */
  async reserveLoginAttempt(keys: string[], windowSeconds: number): Promise<Reservation[]> {
    const rows = await queryRows<{ failures: number; retry_after: number }>(
      this.dataSource,
      `INSERT INTO login_failures AS f (key, failures, window_started_at)
       SELECT key, 1, now() FROM unnest($1::text[]) AS key ORDER BY key
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.window_started_at > now() - make_interval(secs => $2)
                         THEN f.failures + 1 ELSE 1 END,
         window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => $2)
                                  THEN f.window_started_at ELSE now() END
       RETURNING failures,
         ceil(extract(epoch FROM window_started_at + make_interval(secs => $2) - now()))::int
           AS retry_after`,
      [keys, windowSeconds],
    );
    return rows.map((row) => ({ failures: row.failures, retryAfterSeconds: row.retry_after }));
  }

  /** A login succeeded: its account's count is cleared, its address's reservation returned. */
  async loginSucceeded(accountKey: string, addressKey: string): Promise<void> {
    await this.dataSource.query(
      `WITH cleared AS (DELETE FROM login_failures WHERE key = $1)
       UPDATE login_failures SET failures = greatest(failures - 1, 0) WHERE key = $2`,
      [accountKey, addressKey],
    );
  }

  /**
   * Takes one of `limit` signups per sliding hour for the address: the row holds the times of the
   * address's signups within the last hour. Returns whether one was free and, if not, the seconds
   * until the oldest leaves the hour.
   */
  async takeSignup(
    address: string,
    limit: number,
  ): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    const [row] = await queryRows<{ allowed: boolean; retry_after: number }>(
      this.dataSource,
      `INSERT INTO signup_attempts AS a (address, attempts) VALUES ($1, ARRAY[now()])
       ON CONFLICT (address) DO UPDATE SET attempts = (
         SELECT CASE WHEN cardinality(recent) < $2 THEN recent || now() ELSE recent END
           FROM (SELECT coalesce(array_agg(at ORDER BY at), '{}') AS recent
                   FROM unnest(a.attempts) AS at WHERE at > now() - interval '1 hour') AS kept)
       RETURNING attempts[cardinality(attempts)] = now() AS allowed,
         ceil(extract(epoch FROM attempts[1] + interval '1 hour' - now()))::int AS retry_after`,
      [address, limit],
    );
    return { allowed: row!.allowed, retryAfterSeconds: Math.max(1, row!.retry_after) };
  }

  /** Drops counts whose windows have ended. */
  async purgeExpired(loginWindowSeconds: number): Promise<number> {
    const [logins, signups] = await Promise.all([
      queryRows(
        this.dataSource,
        `DELETE FROM login_failures
          WHERE window_started_at < now() - make_interval(secs => $1) RETURNING 1`,
        [loginWindowSeconds],
      ),
      queryRows(
        this.dataSource,
        `DELETE FROM signup_attempts
          WHERE attempts[cardinality(attempts)] < now() - interval '1 hour' RETURNING 1`,
      ),
    ]);
    return logins.length + signups.length;
  }
}
