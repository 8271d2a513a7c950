import 'reflect-metadata';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Checker, type CheckedSystem } from './checker';
import { runToExit, type Cleanup } from './cleanup';
import { signUpPlayers, Workload } from './clients';
import { ServerProcess, type UnexpectedExit } from './cluster';
import { host, Network, PostgresHost, RedisClusterHosts, type Host } from './hosts';
import { log, sleep } from './log';
import { Random } from './random';
import { formatReport } from './report';

/**
 * The chaos checker over hosts: network namespaces on one bridge stand for machines. PostgreSQL,
 * six Redis Cluster nodes (three masters, each with a replica), two APIs and two workers each run
 * on a host of their own; the clients (in the root namespace) load both APIs over the bridge. The
 * faults are between hosts: latency and loss on links, a worker cut off, a Redis master handing
 * over to its replica and another killed. Then the chaos checker's invariants. Exits 0 when every
 * invariant holds, 1 on a violation, 2 when the run itself failed.
 */

const USAGE = `usage: npm run chaos:multihost -w packages/server -- [options]
  --seed N        seed of every random choice (default: random, printed)
  --duration S    seconds of load and faults (default 90, at least 40)
  --clients N     concurrent clients (default 12)
  --players N     players signed up and scored for (default 24)`;

const CLIENT_GRACE_MS = 30_000;
const CLAIM_IDLE_MS = 5000;
const EVENT_SHARDS = 3;
const API_PORT = 3000;
const NETEM = ['delay', '50ms', '20ms', 'loss', '2%'];

type Options = { seed: number; durationSeconds: number; clients: number; players: number };

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      duration: { type: 'string', default: '90' },
      clients: { type: 'string', default: '12' },
      players: { type: 'string', default: '24' },
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
  return {
    seed: values.seed === undefined ? randomInt(2 ** 31) : integer('seed', values.seed, 0),
    durationSeconds: integer('duration', values.duration, 40),
    clients: integer('clients', values.clients, 1),
    players: integer('players', values.players, 1),
  };
}

const HOSTS = {
  postgres: host('pg', 10),
  redis: [1, 2, 3, 4, 5, 6].map((n) => host(`redis${n}`, 20 + n)),
  apis: [host('api1', 31), host('api2', 32)],
  workers: [host('worker1', 41), host('worker2', 42)],
};

/** Everything on the hosts, as the checker reads it. */
class Hosts implements CheckedSystem {
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly apis: ServerProcess[] = [];
  readonly workers: ServerProcess[] = [];
  postgres!: PostgresHost;
  redis!: RedisClusterHosts;
  private closing = false;

  constructor(
    readonly network: Network,
    private readonly runDir: string,
  ) {}

  readonly recordExit = (exit: UnexpectedExit) => {
    if (this.closing) return;
    this.unexpectedExits.push(exit);
    log(`VIOLATION ${exit.process} exited on its own (code ${exit.code}, signal ${exit.signal})`);
  };

  get servers(): Array<{ name: string; ready(): Promise<boolean> }> {
    const redisNodes = this.redis.nodes.map((node) => ({
      name: node.h.name,
      ready: () =>
        node
          .command((c) => c.ping())
          .then(() => true)
          .catch(() => false),
    }));
    return [...this.apis, ...this.workers, ...redisNodes];
  }

  async start(redisKeyPrefix: string): Promise<void> {
    this.postgres = await PostgresHost.start(
      HOSTS.postgres,
      join(this.runDir, 'postgres.log'),
      this.recordExit,
    );
    log(`PostgreSQL on ${this.postgres.url}`);
    this.redis = await RedisClusterHosts.start(HOSTS.redis, 3, this.runDir, this.recordExit);
    log(`Redis Cluster: 3 masters with a replica each, ${this.redis.url}`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: this.postgres.url,
      REDIS_URL: this.redis.url,
      REDIS_CLUSTER: 'true',
      REDIS_KEY_PREFIX: redisKeyPrefix,
      EVENT_SHARDS: String(EVENT_SHARDS),
      JWT_SECRET: randomBytes(48).toString('base64url'),
      DATA_DIR: join(this.runDir, 'data'),
      SWEEP_DELAY_MS: '2000',
      SWEEP_INTERVAL_MS: '500',
      WORKER_CLAIM_IDLE_MS: String(CLAIM_IDLE_MS),
      SIGNUP_MAX_PER_HOUR: '0',
      // Pinned: with NODE_ENV=production it would be the number of this machine's cores.
      API_PROCESSES: '1',
      LOG_LEVEL: 'warn',
    };
    for (const [h, role] of [
      ...HOSTS.apis.map((h) => [h, 'api'] as const),
      ...HOSTS.workers.map((h) => [h, 'worker'] as const),
    ]) {
      const server = new ServerProcess(
        h.name,
        role,
        role === 'api' ? API_PORT : undefined,
        { ...env, ROLE: role, ...(role === 'api' ? { PORT: String(API_PORT) } : {}) },
        join(this.runDir, `${h.name}.log`),
        { netns: h.netns, host: h.address },
      );
      server.onUnexpectedExit = (exit) => {
        this.recordExit(exit);
        setTimeout(() => server.start(), 1000);
      };
      (role === 'api' ? this.apis : this.workers).push(server);
      server.start();
    }
    if (!(await this.waitForApis())) {
      throw new Error(`the APIs did not become ready; see the logs in ${this.runDir}`);
    }
  }

  async waitForApis(): Promise<boolean> {
    const deadline = Date.now() + 90_000;
    for (const api of this.apis) {
      while (!(await api.ready())) {
        if (Date.now() > deadline) return false;
        await sleep(300);
      }
    }
    return true;
  }

  /** Links healed, every Redis node and server running, the cluster whole, the APIs ready. */
  async healAll(): Promise<boolean> {
    this.network.healAll();
    this.redis.startStopped();
    await this.redis.untilHealthy().catch((error: Error) => log(error.message));
    for (const server of [...this.apis, ...this.workers]) server.start();
    return this.waitForApis();
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.apis, ...this.workers].map((server) => server.close()));
    await this.redis?.destroy();
    await this.postgres?.destroy();
  }
}

/**
 * The faults, one after another at fixed fractions of the run; which hosts, from the seed. Each
 * is healed before the next begins, so the report can say what the system went through.
 */
async function nemesis(
  hosts: Hosts,
  random: Random,
  durationMs: number,
  counts: Map<string, number>,
): Promise<void> {
  const started = Date.now();
  const at = async (fraction: number) => {
    const wait = started + fraction * durationMs - Date.now();
    if (wait > 0) await sleep(wait);
  };
  const count = (kind: string) => counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const { network } = hosts;

  await at(0.1);
  const slow: Host[] = [random.pick(HOSTS.apis), random.pick(HOSTS.workers), HOSTS.postgres];
  log(`fault: netem ${NETEM.join(' ')} on ${slow.map((h) => h.name).join(', ')} (both ways)`);
  try {
    for (const h of slow) network.degrade(h, NETEM);
    count('netem delay 50ms±20ms loss 2%');
    await sleep(0.2 * durationMs);
    log('healed: netem removed');
  } catch (error) {
    // Some kernels (a Firecracker VM's, say) are built without sch_netem.
    log(`netem unavailable, latency and loss skipped: ${(error as Error).message.trim()}`);
    count('netem skipped (no sch_netem in this kernel)');
  } finally {
    for (const h of slow) network.restore(h);
  }

  await at(0.35);
  const cut = random.pick(HOSTS.workers);
  const cutMs = CLAIM_IDLE_MS + 5000;
  log(`fault: partition ${cut.name} (link down) for ${cutMs / 1000} s`);
  network.partition(cut);
  count('worker partition');
  await sleep(cutMs);
  network.heal(cut);
  log(`healed: ${cut.name} link up`);

  await at(0.55);
  const handOver = await hosts.redis.pair(random.int(0, 2));
  if (handOver.replica) {
    log(`fault: CLUSTER FAILOVER on ${handOver.replica.h.name} (master ${handOver.master.h.name})`);
    await handOver.replica.command((c) => c.call('CLUSTER', 'FAILOVER'));
    count('redis CLUSTER FAILOVER');
    await hosts.redis
      .untilHealthy(30_000)
      .then(() => log(`healed: ${handOver.replica!.h.name} is master, cluster ok`))
      .catch((error: Error) => log(error.message));
  }

  await at(0.72);
  const victim = await hosts.redis.pair(random.int(0, 2));
  log(`fault: kill -9 Redis master ${victim.master.h.name} (replica ${victim.replica?.h.name})`);
  const killedAt = Date.now();
  await victim.master.daemon.kill();
  count('redis master killed');
  await sleep(1000);
  const promoted = await victim.replica
    ?.role()
    .then(async function wait(role): Promise<boolean> {
      if (role === 'master') return true;
      if (Date.now() - killedAt > 30_000) return false;
      await sleep(250);
      return victim.replica!.role().then(wait);
    })
    .catch(() => false);
  log(
    promoted
      ? `${victim.replica!.h.name} promoted ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`
      : 'no replica promoted within 30 s',
  );
  victim.master.daemon.start();
  await hosts.redis
    .untilHealthy(30_000)
    .then(() => log(`healed: ${victim.master.h.name} back (as a replica), cluster ok`))
    .catch((error: Error) => log(error.message));
}

async function run(options: Options, runDir: string, cleanup: Cleanup): Promise<boolean> {
  const random = new Random(options.seed);
  const redisKeyPrefix = `multihost-${options.seed}:`;
  const allHosts = [HOSTS.postgres, ...HOSTS.redis, ...HOSTS.apis, ...HOSTS.workers];
  log(`building ${allHosts.length} hosts (network namespaces) on a bridge, 10.77.0.0/24`);
  const network = Network.create(allHosts);
  cleanup.add(async () => network.destroy());
  const hosts = new Hosts(network, runDir);
  cleanup.add(() => hosts.shutdown());
  await hosts.start(redisKeyPrefix);
  log(`APIs ${hosts.apis.map((api) => api.baseUrl).join(' ')}; workers on worker1, worker2`);

  await Checker.prepareBoards(hosts.postgres.url);
  const players = await signUpPlayers(hosts.apis[0]!.baseUrl, options.players);
  log(`${players.length} players signed up; ${options.clients} clients start`);
  const workload = new Workload(hosts.apis, players, random.fork('clients'));
  const counts = new Map<string, number>();
  workload.start(options.clients);
  const faults = nemesis(
    hosts,
    random.fork('nemesis'),
    options.durationSeconds * 1000,
    counts,
  ).catch((error: Error) =>
    log(`the nemesis failed (the run goes on, healed): ${error.stack ?? error.message}`),
  );

  await sleep(options.durationSeconds * 1000);
  log(`time is up: no new submissions (those in flight retry ${CLIENT_GRACE_MS / 1000} s more)`);
  workload.stopIssuing(CLIENT_GRACE_MS);
  await faults;
  log('healing everything');
  if (!(await hosts.healAll())) log('the APIs are not ready after healing');
  await workload.done();
  log('clients done');

  const checker = await Checker.connect(hosts, redisKeyPrefix);
  cleanup.add(() => checker.close());
  const settled = await checker.settle();
  const invariants = await checker.check(workload);
  process.stdout.write(
    formatReport({
      seed: options.seed,
      durationSeconds: options.durationSeconds,
      clients: options.clients,
      players: players.length,
      faults: counts,
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
  const runDir = mkdtempSync(join(tmpdir(), `scoreboard-multihost-seed${options.seed}-`));
  log(
    `multi-host chaos run: --seed ${options.seed} --duration ${options.durationSeconds} ` +
      `--clients ${options.clients} --players ${options.players} ` +
      `(REDIS_CLUSTER=true, EVENT_SHARDS=${EVENT_SHARDS}, WORKER_CLAIM_IDLE_MS=${CLAIM_IDLE_MS})`,
  );
  log(`run directory (process logs): ${runDir}`);
  await runToExit(runDir, (cleanup) => run(options, runDir, cleanup));
}

void main();
