import { expect } from 'vitest';
import { runNode } from './processes';
import type { TestApp } from './test-app';

/** Makes the user an admin the only way there is: the command-line tool, on the app's database. */
export async function makeAdmin(app: TestApp, email: string): Promise<void> {
  const run = runNode(
    'cli.js',
    { DATABASE_URL: app.config.databaseUrl!, DATA_DIR: app.config.dataDir },
    ['users', 'set-role', email, 'admin'],
  );
  expect(await run.exited, run.output()).toBe(0);
}
