import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A login throttle key holds the lowercased email, and lowercasing can lengthen text ('İ' becomes
 * two code points): a key may exceed the 254 characters an email is limited to.
 */
export class LoginKeyAsText1795506000000 implements MigrationInterface {
  name = 'LoginKeyAsText1795506000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE login_failures ALTER COLUMN key TYPE text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM login_failures WHERE length(key) > 300`);
    await db.query(`ALTER TABLE login_failures ALTER COLUMN key TYPE varchar(300)`);
  }
}
