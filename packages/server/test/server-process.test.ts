import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

type Server = { process: ChildProcess; output: () => string; exited: Promise<number | null> };

/** Runs the built server as a real process with exactly the given environment. */
function runServer(env: Record<string, string>): Server {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

async function waitUntilReady(baseUrl: string, server: Server): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.process.exitCode !== null) throw new Error(`server exited: ${server.output()}`);
    const ready = await fetch(`${baseUrl}/api/health/ready`).catch(() => undefined);
    if (ready?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server not ready: ${server.output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const dataDirs: string[] = [];
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the server process', () => {
  it.each([
    [{ SCORE_MAX: 'lots' }, 'SCORE_MAX'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ DATABASE_URL: 'http://example.com' }, 'DATABASE_URL'],
  ])('stops at start on %o, naming %s', async (env, variable) => {
    const server = runServer({ DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-bad-')), ...env });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain(variable);
  });

  it('runs on an embedded PostgreSQL without DATABASE_URL, keeps data across restarts and stops it on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-embedded-'));
    dataDirs.push(dataDir);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const api = new ApiClient(baseUrl);

    const first = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, first);
    const { email, password, token } = await api.signup();
    const score = await api.submitScore(token, 64, 'kept-across-restarts');
    expect(score.status).toBe(201);
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The embedded server stopped too: it removes its pid file on a clean shutdown.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);

    const second = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, second);
    // The JWT secret was kept under DATA_DIR too, so the old token still works.
    const page = await api.request('GET', '/api/me/scores', { token });
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([expect.objectContaining({ id: score.body.id, value: 64 })]);
    const login = await api.request('POST', '/api/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('takes over an embedded PostgreSQL left running by a process that was killed outright', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scoreboard-orphan-'));
    dataDirs.push(dataDir);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const first = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, first);
    first.process.kill('SIGKILL');
    await first.exited;

    const second = runServer({ DATA_DIR: dataDir, PORT: String(port) });
    await waitUntilReady(baseUrl, second);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
