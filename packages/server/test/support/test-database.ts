import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The machine's PostgreSQL (SPEC section 4); each test file gets a database of its own on it. */
const { TEST_DATABASE_SERVER_URL: SERVER_URL = 'postgres://postgres@127.0.0.1:5432/test' } =
  process.env;

export type TestDatabase = { url: string; name: string; drop(): Promise<void> };

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `scoreboard_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  assertTestDatabase(name);
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

/** Refuses to touch any database whose name does not say it is for tests. */
function assertTestDatabase(name: string): void {
  if (!/^scoreboard_test_\w+$/.test(name))
    throw new Error(`Refusing to use non-test database ${name}`);
}

async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The global board's one period, for SQL that writes scores or standings by hand. */
export const GLOBAL_PERIOD = `(SELECT id FROM board_periods WHERE board_id = 'global')`;
