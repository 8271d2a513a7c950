import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How a board's values read (issue 22): `display_format` (`integer`, `decimal:N` for values kept
 * in units of 10^-N, `duration:ms` or `duration:s`) and an optional `unit`. Display only: values
 * stay integers, and nothing that ranks or stores them changes.
 */
export class BoardDisplay1795550000000 implements MigrationInterface {
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE boards
        ADD COLUMN display_format varchar(16) NOT NULL DEFAULT 'integer'
          CHECK (display_format ~ '^(integer|decimal:[1-6]|duration:(ms|s))$'),
        ADD COLUMN unit varchar(16)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE boards DROP COLUMN display_format, DROP COLUMN unit`);
  }
}
