import { expect } from 'vitest';
import { runNode } from './processes';
import type { TestApp } from './test-app';

/** Runs `npm run scoreboard -- <args>` (the built cli.js) against the app's database. */
export async function runCli(
  app: TestApp,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const run = runNode(
    'cli.js',
    { DATABASE_URL: app.config.databaseUrl!, DATA_DIR: app.config.dataDir },
    args,
  );
  const code = await run.exited;
  return { code, output: run.output() };
}

/** Makes the user an admin the only way there is: the command-line tool. */
export async function makeAdmin(app: TestApp, email: string): Promise<void> {
  const { code, output } = await runCli(app, ['users', 'set-role', email, 'admin']);
  expect(code, output).toBe(0);
}
