import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectBackgroundDataSource } from '../database/database.module';
import { queryRows } from '../database/sql';
import { DELETED_VERSION, type Standing } from '../leaderboard/leaderboard-store';
import { toStanding, type StandingRow } from '../leaderboard/standing-row';

/**
 * Output columns are text, under the same names as the table's: an ORDER BY must name the table's
 * (qualified), or it would sort the text ('10' before '9') while the cursor compares numbers.
 */
const STANDING_COLUMNS = `board_id, period_id::text, user_id::text, rank_score,
  (extract(epoch FROM achieved_at) * 1000000)::bigint::text AS achieved_us, version::text, ranked`;

/**
 * What the leaderboard upkeep reads from PostgreSQL (worker side): standings to rebuild the Redis
 * set from, and the outbox of standings not yet known to have reached it.
 */
@Injectable()
export class StandingsRepository {
  constructor(@InjectBackgroundDataSource() private readonly dataSource: DataSource) {}

  /** The number of players ranked in the period. */
  async count(periodId: string): Promise<number> {
    const [row] = await queryRows<{ n: string }>(
      this.dataSource,
      'SELECT count(*) AS n FROM user_stats WHERE period_id = $1 AND ranked',
      [periodId],
    );
    return Number(row!.n);
  }

  /**
   * Up to `limit` standings in the period after `afterUserId`, by user id (for a rebuild); the
   * unranked ones too, so that the rebuilt set knows their versions.
   */
  async pageAfter(periodId: string, afterUserId: string, limit: number): Promise<Standing[]> {
    const rows = await queryRows<StandingRow>(
      this.dataSource,
      `SELECT ${STANDING_COLUMNS} FROM user_stats
        WHERE period_id = $1 AND user_id > $2 ORDER BY user_stats.user_id LIMIT $3`,
      [periodId, afterUserId, limit],
    );
    return rows.map(toStanding);
  }

  /** The outbox rows are recorded: forget them. */
  async forgetChanges(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query('DELETE FROM leaderboard_changes WHERE id = ANY($1::bigint[])', [
      ids,
    ]);
  }

  /**
   * Takes up to `limit` outbox rows older than `olderThanMs` (whoever wrote them died or could not
   * reach Redis), hands the current standings of their users to `record` (a standing that no
   * longer exists, its account deleted, as unranked at DELETED_VERSION), and deletes the rows once
   * it succeeded, in one transaction: if `record` fails, the rows stay for the next try. Workers
   * split the rows between them (SKIP LOCKED). Returns how many rows it took.
   */
  async recordStaleChanges(
    olderThanMs: number,
    limit: number,
    record: (standings: Standing[]) => Promise<void>,
  ): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const changes = await queryRows<{ id: string; period_id: string; user_id: string }>(
        manager,
        `SELECT id::text, period_id::text, user_id::text FROM leaderboard_changes
          WHERE changed_at < now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY leaderboard_changes.id LIMIT $2
          FOR UPDATE SKIP LOCKED`,
        [olderThanMs, limit],
      );
      if (changes.length === 0) return 0;
      const rows = await queryRows<StandingRow>(
        manager,
        `SELECT coalesce(s.board_id, p.board_id) AS board_id, c.period_id::text,
                c.user_id::text, coalesce(s.rank_score, 0) AS rank_score,
                coalesce((extract(epoch FROM s.achieved_at) * 1000000)::bigint, 0)::text
                  AS achieved_us,
                coalesce(s.version::text, $3) AS version, coalesce(s.ranked, false) AS ranked
           FROM (SELECT DISTINCT * FROM unnest($1::bigint[], $2::bigint[])
                   AS c (period_id, user_id)) c
           JOIN board_periods p ON p.id = c.period_id
           LEFT JOIN user_stats s ON s.period_id = c.period_id AND s.user_id = c.user_id`,
        [
          changes.map((change) => change.period_id),
          changes.map((change) => change.user_id),
          DELETED_VERSION,
        ],
      );
      await record(rows.map(toStanding));
      await manager.query('DELETE FROM leaderboard_changes WHERE id = ANY($1::bigint[])', [
        changes.map((change) => change.id),
      ]);
      return changes.length;
    });
  }
}
