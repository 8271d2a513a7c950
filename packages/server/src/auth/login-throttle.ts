import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

/**
 * Counts failed logins per key (one for the account, one for the client address) in a fixed window
 * of LOGIN_MAX_FAILURES per 15 minutes. Kept in PostgreSQL so that every API instance sees the same
 * counts.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  static keys(email: string, address: string | undefined): string[] {
    return [`account:${email.toLowerCase()}`, `address:${address ?? 'unknown'}`];
  }

  /** Refuses with 429 and Retry-After while any of the keys has used up its failures. */
  async assertAllowed(keys: string[]): Promise<void> {
    const [row] = await this.dataSource.query(
      `SELECT ceil(extract(epoch FROM max(window_started_at) + make_interval(secs => $2) - now()))::int AS retry_after
         FROM login_failures
        WHERE key = ANY($1) AND failures >= $3
          AND window_started_at > now() - make_interval(secs => $2)`,
      [keys, this.config.loginWindowSeconds, this.config.loginMaxFailures],
    );
    const retryAfter: number | null = row?.retry_after ?? null;
    if (retryAfter !== null) {
      throw new HttpException(
        {
          message: `Too many failed login attempts; try again in ${retryAfter} seconds`,
          retryAfterSeconds: Math.max(1, retryAfter),
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }

  async recordFailure(keys: string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO login_failures AS f (key, failures, window_started_at)
       SELECT unnest($1::varchar[]), 1, now()
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN f.window_started_at > now() - make_interval(secs => $2)
                         THEN f.failures + 1 ELSE 1 END,
         window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => $2)
                                  THEN f.window_started_at ELSE now() END`,
      [keys, this.config.loginWindowSeconds],
    );
  }

  /** A successful login clears the account's count (the address keeps its own). */
  async reset(accountKey: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_failures WHERE key = $1`, [accountKey]);
  }
}
