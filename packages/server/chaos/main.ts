import 'reflect-metadata';
import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Checker } from './checker';
import { runToExit, type Cleanup } from './cleanup';
import { signUpPlayers, Workload } from './clients';
import { Cluster } from './cluster';
import { log, sleep } from './log';
import { FAULT_KINDS, Nemesis, type FaultKind } from './nemesis';
import { Random } from './random';
import { formatReport } from './report';
import { ChaosWebhookReceiver } from './webhook-receiver';

/**
 * The chaos checker, after Jepsen: runs two APIs and two workers over a private PostgreSQL and
 * Redis, drives concurrent clients that retry each submission with its idempotency key, injects
 * faults from a seeded generator, heals everything, lets the system settle, and checks what was
 * acknowledged against what is stored. Exits 0 when every invariant holds, 1 on a violation, 2
 * when the run itself failed.
 */

const USAGE = `usage: npm run chaos -w packages/server -- [options]
  --seed N        seed of every random choice (default: random, printed)
  --duration S    seconds of load and faults (default 60)
  --clients N     concurrent clients (default 16)
  --players N     players signed up and scored for (default 40)
  --faults K,K    only these kinds of fault (default all: ${FAULT_KINDS.join(', ')})
  --no-faults     run the same load with no nemesis (a healthy run must pass)
  --claim-idle-ms N  the workers' WORKER_CLAIM_IDLE_MS (default 5000)
  --event-shards N   every process's EVENT_SHARDS (default 1)
  --api-processes N  each API's API_PROCESSES (default 1): above 1, a primary and N HTTP processes
                     sharing its port; the fault kill-api-process then kills one of those`;

/** How long submissions still in flight at the end keep retrying before they are indeterminate. */
const CLIENT_GRACE_MS = 30_000;

type Options = {
  seed: number;
  durationSeconds: number;
  clients: number;
  players: number;
  faults: boolean;
  faultKinds: FaultKind[];
  claimIdleMs: number;
  eventShards: number;
  apiProcesses: number;
};

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      duration: { type: 'string', default: '60' },
      clients: { type: 'string', default: '16' },
      players: { type: 'string', default: '40' },
      faults: { type: 'string', default: FAULT_KINDS.join(',') },
      'claim-idle-ms': { type: 'string', default: '5000' },
      'event-shards': { type: 'string', default: '1' },
      'api-processes': { type: 'string', default: '1' },
      'no-faults': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const integer = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer of at least ${min}\n${USAGE}`);
    }
    return value;
  };
  const faultKinds = values.faults.split(',').map((kind) => kind.trim());
  const unknown = faultKinds.filter((kind) => !(FAULT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw new Error(`unknown fault kinds: ${unknown.join(', ')}\n${USAGE}`);
  return {
    faultKinds: faultKinds as FaultKind[],
    seed: values.seed === undefined ? randomInt(2 ** 31) : integer('seed', values.seed, 0),
    durationSeconds: integer('duration', values.duration, 1),
    clients: integer('clients', values.clients, 1),
    players: integer('players', values.players, 1),
    faults: !values['no-faults'],
    claimIdleMs: integer('claim-idle-ms', values['claim-idle-ms'], 1000),
    eventShards: integer('event-shards', values['event-shards'], 1),
    apiProcesses: integer('api-processes', values['api-processes'], 1),
  };
}

async function run(options: Options, runDir: string, cleanup: Cleanup): Promise<boolean> {
  const random = new Random(options.seed);
  const redisKeyPrefix = `chaos-${options.seed}:`;
  const httpProcesses =
    options.apiProcesses > 1 ? ` of ${options.apiProcesses} processes each` : '';
  log(`starting PostgreSQL, Redis, 2 APIs${httpProcesses} and 2 workers`);
  const cluster = await Cluster.start({
    runDir,
    redisKeyPrefix,
    claimIdleMs: options.claimIdleMs,
    eventShards: options.eventShards,
    apiProcesses: options.apiProcesses,
  });
  cleanup.add(() => cluster.shutdown());
  log(
    `PostgreSQL ${cluster.postgres.url}, Redis ${cluster.redis.url}, ` +
      `APIs ${cluster.apis.map((api) => api.baseUrl).join(' ')}`,
  );

  await Checker.prepareBoards(cluster.postgres.url);
  const receiver = new ChaosWebhookReceiver(random.fork('webhooks'));
  cleanup.add(() => receiver.stop());
  log(`webhook receiver at ${await receiver.start(cluster.postgres.url)}, for every event`);

  const players = await signUpPlayers(cluster.apis[0]!.baseUrl, options.players);
  log(`${players.length} players signed up; ${options.clients} clients start`);
  const workload = new Workload(cluster.apis, players, random.fork('clients'));
  const nemesis = new Nemesis(
    cluster,
    random.fork('nemesis'),
    options.claimIdleMs,
    options.faultKinds,
  );
  workload.start(options.clients);
  if (options.faults) nemesis.start();

  await sleep(options.durationSeconds * 1000);
  log(`time is up: no new submissions (those in flight retry ${CLIENT_GRACE_MS / 1000} s more)`);
  workload.stopIssuing(CLIENT_GRACE_MS);
  await nemesis.stop();
  log('healing everything');
  if (!(await cluster.healAll())) log('the APIs are not ready a minute after healing');
  await workload.done();
  log('clients done');

  const checker = await Checker.connect(cluster, redisKeyPrefix);
  cleanup.add(() => checker.close());
  const settled = await checker.settle(receiver);
  const invariants = await checker.check(workload, receiver);
  process.stdout.write(
    formatReport({
      seed: options.seed,
      durationSeconds: options.durationSeconds,
      clients: options.clients,
      players: players.length,
      faults: options.faults ? nemesis.counts : undefined,
      workload: workload.stats,
      settled,
      invariants,
      runDir,
    }),
  );
  return invariants.every((invariant) => invariant.pass);
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const runDir = mkdtempSync(join(tmpdir(), `scoreboard-chaos-seed${options.seed}-`));
  log(
    `chaos run: --seed ${options.seed} --duration ${options.durationSeconds} ` +
      `--clients ${options.clients} --players ${options.players}` +
      `${options.faults ? ` --faults ${options.faultKinds.join(',')}` : ' --no-faults'}` +
      ` --api-processes ${options.apiProcesses}` +
      ` (WORKER_CLAIM_IDLE_MS=${options.claimIdleMs}, EVENT_SHARDS=${options.eventShards})`,
  );
  log(`run directory (process logs): ${runDir}`);
  await runToExit(runDir, (cleanup) => run(options, runDir, cleanup));
}

void main();
