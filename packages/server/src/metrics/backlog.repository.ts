import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../database/sql';

/** The backlog as PostgreSQL knows it: each count reads only its partial index. */
@Injectable()
export class BacklogRepository {
  constructor(private readonly dataSource: DataSource) {}

  async counts(): Promise<{ pending: number; dead: number }> {
    const [row] = await queryRows<{ pending: string; dead: string }>(
      this.dataSource,
      `SELECT (SELECT count(*) FROM scores
                 WHERE applied_at IS NULL AND dead_at IS NULL AND removed_at IS NULL) AS pending,
              (SELECT count(*) FROM scores WHERE dead_at IS NOT NULL AND removed_at IS NULL) AS dead`,
    );
    return { pending: Number(row!.pending), dead: Number(row!.dead) };
  }
}
