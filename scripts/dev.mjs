// `npm run dev`: the contributor's loop. Builds what changed, then runs together:
// - the server's TypeScript compiler in watch mode (dist/ follows src/),
// - the server under `node --watch`, restarted when its compiled code changes (it stops its
//   embedded PostgreSQL on the way out and shares nothing with the next run but DATA_DIR),
// - Vite's dev server for the client, with hot reload, proxying /api to the server.
// Ctrl-C stops all three.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SERVER = join(ROOT, 'packages/server');
const CLIENT = join(ROOT, 'packages/client');
const port = process.env.PORT ?? '3000';
/** Vite's dev server, the address to open in development (the server's log says so). */
const VITE_PORT = '5173';

const built = spawnSync(
  process.execPath,
  [join(ROOT, 'scripts/build.mjs'), '--if-changed', 'client', 'server'],
  {
    stdio: 'inherit',
  },
);
if (built.status !== 0) process.exit(built.status ?? 1);

const children = new Set();
let stopping = false;

function start(command, args, options) {
  const child = spawn(command, args, { stdio: 'inherit', ...options });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`${args.join(' ')} ended (${signal ?? `code ${code}`}): stopping the rest`);
      stop('SIGTERM');
    }
    if (children.size === 0) process.exit(code ?? 0);
  });
  return child;
}

function stop(signal) {
  stopping = true;
  for (const child of children) child.kill(signal);
}
// A terminal's Ctrl-C reaches every child itself; a SIGTERM to this process is passed on, and so
// is a SIGHUP (the terminal closed), so that the server still stops its embedded PostgreSQL.
process.on('SIGINT', () => (stopping = true));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));

const compiler = start(
  process.execPath,
  [
    join(ROOT, 'node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json',
    '--watch',
    '--preserveWatchOutput',
  ],
  { cwd: SERVER, stdio: ['ignore', 'pipe', 'inherit'] },
);
// The server starts once the first compilation is written, so that it does not restart at once.
let serverStarted = false;
compiler.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (!serverStarted && /Watching for file changes/.test(chunk.toString())) {
    serverStarted = true;
    start(process.execPath, ['--watch', '--watch-preserve-output', 'dist/main.js'], {
      cwd: SERVER,
      env: {
        LOG_FORMAT: 'pretty',
        ...process.env,
        PORT: port,
        DASHBOARD_URL: `http://localhost:${VITE_PORT}`,
      },
    });
    start(
      process.execPath,
      // On its port or not at all: the server's log names that address.
      [
        join(ROOT, 'node_modules/vite/bin/vite.js'),
        '--clearScreen',
        'false',
        '--port',
        VITE_PORT,
        '--strictPort',
      ],
      {
        cwd: CLIENT,
        env: { ...process.env, PORT: port },
      },
    );
  }
});
