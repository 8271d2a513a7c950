import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { Cluster as RedisClusterClient } from 'ioredis';
import { Client } from 'pg';
import { loadBinaries, postgresOwner } from '../src/database/embedded-postgres';
import type { UnexpectedExit } from './cluster';
import { elapsedSeconds, log, sleep } from './log';

/**
 * Every name this run gives the machine (namespaces, links, the bridge) starts with this, so that
 * what a killed run left behind is recognised and removed by the next one.
 */
export const PREFIX = 'sbmh';
const BRIDGE = `${PREFIX}0`;
const SUBNET = '10.77.0';
export const SUBNET_CIDR = `${SUBNET}.0/24`;
/** The root namespace's address on the bridge: where the clients and the checker run. */
export const ROOT_ADDRESS = `${SUBNET}.1`;

/** A host: a network namespace with one veth link to the bridge and one address. */
export type Host = { name: string; netns: string; veth: string; address: string };

export function host(name: string, lastOctet: number): Host {
  return {
    name,
    netns: `${PREFIX}-${name}`,
    veth: `${PREFIX}-${name}`,
    address: `${SUBNET}.${lastOctet}`,
  };
}

const run = (command: string, args: string[]) =>
  execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const ip = (...args: string[]) => run('ip', args);
const quietly = (work: () => unknown) => {
  try {
    work();
  } catch {
    // already gone
  }
};

/** The bridge and the hosts' namespaces and links, made and unmade with iproute2 and tc. */
export class Network {
  private constructor(readonly hosts: Host[]) {}

  /** Removes what an earlier run left behind, then builds the bridge and one namespace a host. */
  static create(hosts: Host[]): Network {
    Network.removeLeftovers();
    ip('link', 'add', BRIDGE, 'type', 'bridge');
    ip('addr', 'add', `${ROOT_ADDRESS}/24`, 'dev', BRIDGE);
    ip('link', 'set', BRIDGE, 'up');
    for (const h of hosts) {
      ip('netns', 'add', h.netns);
      ip('link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns);
      ip('link', 'set', h.veth, 'master', BRIDGE, 'up');
      ip('-n', h.netns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0');
      ip('-n', h.netns, 'link', 'set', 'eth0', 'up');
      ip('-n', h.netns, 'link', 'set', 'lo', 'up');
    }
    return new Network(hosts);
  }

  /**
   * Kills whatever still runs in a namespace of ours, deletes the namespaces (and with them their
   * veth pairs) and the bridge.
   */
  static removeLeftovers(): void {
    const namespaces = ip('netns', 'list')
      .split('\n')
      .map((line) => line.split(' ')[0]!)
      .filter((name) => name.startsWith(`${PREFIX}-`));
    for (const netns of namespaces) {
      const pids = ip('netns', 'pids', netns).split('\n').filter(Boolean).map(Number);
      for (const pid of pids) quietly(() => process.kill(pid, 'SIGKILL'));
      quietly(() => ip('netns', 'del', netns));
    }
    const links = ip('-o', 'link', 'show')
      .split('\n')
      .map((line) => line.split(': ')[1]?.split('@')[0] ?? '')
      .filter((name) => name.startsWith(PREFIX));
    for (const link of links) quietly(() => ip('link', 'del', link));
  }

  /** Latency and loss on a host's link, both ways (a qdisc shapes what leaves an interface). */
  degrade(h: Host, netem: string[]): void {
    run('tc', ['qdisc', 'add', 'dev', h.veth, 'root', 'netem', ...netem]);
    run('ip', [
      'netns',
      'exec',
      h.netns,
      'tc',
      'qdisc',
      'add',
      'dev',
      'eth0',
      'root',
      'netem',
      ...netem,
    ]);
  }

  restore(h: Host): void {
    quietly(() => run('tc', ['qdisc', 'del', 'dev', h.veth, 'root']));
    quietly(() =>
      run('ip', ['netns', 'exec', h.netns, 'tc', 'qdisc', 'del', 'dev', 'eth0', 'root']),
    );
  }

  /** Cuts a host off: its link down, so nothing reaches it and nothing leaves it. */
  partition(h: Host): void {
    ip('link', 'set', h.veth, 'down');
  }

  heal(h: Host): void {
    ip('link', 'set', h.veth, 'up');
  }

  healAll(): void {
    for (const h of this.hosts) {
      this.restore(h);
      this.heal(h);
    }
  }

  destroy(): void {
    Network.removeLeftovers();
  }
}

/** A process of a host that is not a server of ours (PostgreSQL, a Redis node). */
class HostDaemon {
  private child: ChildProcess | undefined;
  private killing = false;
  private startedAt = 0;

  constructor(
    readonly name: string,
    private readonly h: Host,
    private readonly command: string[],
    private readonly logFile: string,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void,
  ) {}

  get running(): boolean {
    const child = this.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  start(): void {
    if (this.running) return;
    this.killing = false;
    this.startedAt = Date.now();
    appendFileSync(
      this.logFile,
      `--- ${new Date().toISOString()} multihost: starting ${this.name}\n`,
    );
    const output = openSync(this.logFile, 'a');
    // Its own process group: a terminal's Ctrl-C reaches the run, which then stops it.
    const child = spawn('ip', ['netns', 'exec', this.h.netns, ...this.command], {
      detached: true,
      stdio: ['ignore', output, output],
    });
    closeSync(output);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child !== child || this.killing) return;
      this.onUnexpectedExit({
        process: this.name,
        pid: child.pid,
        code,
        signal,
        atSeconds: elapsedSeconds(),
        uptimeSeconds: (Date.now() - this.startedAt) / 1000,
        logTail: '(see its log file in the run directory)',
      });
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.killing = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}

async function until(what: string, timeoutMs: number, done: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await done().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * A throwaway PostgreSQL cluster on its own host, listening on the host's address, with trust
 * authentication for the bridge's subnet (the run lives as long as the cluster).
 */
export class PostgresHost {
  private readonly daemon: HostDaemon;

  private constructor(
    readonly h: Host,
    private readonly directory: string,
    postgresBinary: string,
    logFile: string,
    onUnexpectedExit: (exit: UnexpectedExit) => void,
  ) {
    const dataDir = join(directory, 'data');
    this.daemon = new HostDaemon(
      'postgres',
      h,
      [
        ...['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups'],
        ...[postgresBinary, '-D', dataDir, '-p', '5432', '-k', directory],
        ...['-c', `listen_addresses=${h.address}`, '-c', 'fsync=off'],
        ...['-c', 'logging_collector=off', '-c', 'max_connections=200'],
      ],
      logFile,
      onUnexpectedExit,
    );
  }

  static async start(
    h: Host,
    logFile: string,
    onUnexpectedExit: (exit: UnexpectedExit) => void,
  ): Promise<PostgresHost> {
    const binaries = await loadBinaries();
    const owner = postgresOwner();
    if (!owner) throw new Error('the multi-host run needs root (network namespaces)');
    const directory = mkdtempSync(join(tmpdir(), `${PREFIX}-postgres-`));
    const dataDir = join(directory, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    chownSync(directory, owner.uid, owner.gid);
    chownSync(dataDir, owner.uid, owner.gid);
    execFileSync(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        '--username=postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...owner, stdio: 'pipe' },
    );
    appendFileSync(join(dataDir, 'pg_hba.conf'), `host all all ${SUBNET_CIDR} trust\n`);
    const postgres = new PostgresHost(h, directory, binaries.postgres, logFile, onUnexpectedExit);
    postgres.daemon.start();
    await until('PostgreSQL to accept queries', 60_000, () => acceptsQueries(postgres.url));
    return postgres;
  }

  get url(): string {
    return `postgres://postgres@${this.h.address}:5432/postgres`;
  }

  get running(): boolean {
    return this.daemon.running;
  }

  async destroy(): Promise<void> {
    await this.daemon.kill('SIGQUIT');
    rmSync(this.directory, { recursive: true, force: true });
  }
}

async function acceptsQueries(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const REDIS_PORT = 6379;
const REDIS_BUS_PORT = 16379;
const SLOTS = 16_384;
/**
 * How long a master may miss pings before its replica takes over. Longer than the tests' 2 s: the
 * links carry netem latency and loss, and this machine is loaded; a spurious failover would still
 * be tolerated, only not asked for.
 */
const NODE_TIMEOUT_MS = 3000;

/** One Redis Cluster node on its own host. */
export class RedisNode {
  readonly daemon: HostDaemon;

  constructor(
    readonly h: Host,
    directory: string,
    logFile: string,
    onUnexpectedExit: (exit: UnexpectedExit) => void,
  ) {
    this.daemon = new HostDaemon(
      h.name,
      h,
      [
        'redis-server',
        ...['--port', String(REDIS_PORT), '--bind', h.address],
        // No password: the bridge's subnet belongs to the run alone.
        ...['--protected-mode', 'no'],
        ...['--cluster-enabled', 'yes', '--cluster-port', String(REDIS_BUS_PORT)],
        ...['--cluster-node-timeout', String(NODE_TIMEOUT_MS)],
        ...['--cluster-config-file', `nodes-${h.name}.conf`, '--dir', directory],
        ...['--save', '', '--appendonly', 'no'],
      ],
      logFile,
      onUnexpectedExit,
    );
  }

  get url(): string {
    return `redis://${this.h.address}:${REDIS_PORT}`;
  }

  /** One command on this node alone (a short-lived connection that gives up quickly). */
  async command<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis({
      host: this.h.address,
      port: REDIS_PORT,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await work(client);
    } finally {
      client.disconnect();
    }
  }

  async role(): Promise<'master' | 'slave'> {
    const info = await this.command((c) => c.info('replication'));
    return /^role:master\r?$/m.test(info) ? 'master' : 'slave';
  }

  myId(): Promise<string> {
    return this.command((c) => c.call('CLUSTER', 'MYID') as Promise<string>);
  }
}

/**
 * A Redis Cluster over hosts: three masters, each with a replica on another host when there are
 * six nodes. Formed as `redis-cli --cluster create` would: slots, epochs, MEET, REPLICATE.
 */
export class RedisClusterHosts {
  private constructor(
    readonly nodes: RedisNode[],
    private readonly directory: string,
  ) {}

  static async start(
    hosts: Host[],
    masters: number,
    runDir: string,
    onUnexpectedExit: (exit: UnexpectedExit) => void,
  ): Promise<RedisClusterHosts> {
    const directory = mkdtempSync(join(tmpdir(), `${PREFIX}-redis-`));
    const nodes = hosts.map(
      (h) => new RedisNode(h, directory, join(runDir, `${h.name}.log`), onUnexpectedExit),
    );
    const cluster = new RedisClusterHosts(nodes, directory);
    for (const node of nodes) node.daemon.start();
    for (const node of nodes) {
      await until(`${node.h.name} to answer`, 30_000, async () => {
        await node.command((c) => c.ping());
        return true;
      });
    }
    await Promise.all(
      nodes.slice(0, masters).map((node, i) =>
        node.command(async (c) => {
          const from = Math.floor((i * SLOTS) / masters);
          const to = Math.floor(((i + 1) * SLOTS) / masters) - 1;
          await c.call('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to));
          await c.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
        }),
      ),
    );
    await nodes[0]!.command(async (c) => {
      for (const node of nodes.slice(1)) {
        await c.call('CLUSTER', 'MEET', node.h.address, String(REDIS_PORT), String(REDIS_BUS_PORT));
      }
    });
    await cluster.untilKnown(nodes.length);
    for (const [i, replica] of nodes.slice(masters).entries()) {
      const masterId = await nodes[i % masters]!.myId();
      await replica.command((c) => c.call('CLUSTER', 'REPLICATE', masterId));
    }
    await cluster.untilHealthy();
    return cluster;
  }

  get url(): string {
    return this.nodes.map((node) => node.url).join(',');
  }

  /** Through a Cluster client, which routes each key to the master serving its slot. */
  async command<T>(work: (client: RedisClusterClient) => Promise<T>): Promise<T> {
    const client = new RedisClusterClient(
      this.nodes.map((node) => ({ host: node.h.address, port: REDIS_PORT })),
      { clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 0 } },
    );
    client.on('error', () => undefined);
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }

  /** Every node up and seeing every slot served, the cluster in one piece. */
  async healthy(): Promise<boolean> {
    const infos = await Promise.all(
      this.nodes.map((node) => node.command((c) => c.cluster('INFO'))),
    );
    return infos.every(
      (info) =>
        /^cluster_state:ok\r?$/m.test(info) &&
        new RegExp(`^cluster_known_nodes:${this.nodes.length}\\r?$`, 'm').test(info),
    );
  }

  /** Healthy, and every replica caught up with its master's link. */
  async untilHealthy(timeoutMs = 60_000): Promise<void> {
    await until('the Redis Cluster to serve every slot', timeoutMs, async () => {
      if (!(await this.healthy())) return false;
      for (const node of this.nodes) {
        const info = await node.command((c) => c.info('replication'));
        if (/^role:slave\r?$/m.test(info) && !/^master_link_status:up\r?$/m.test(info)) {
          return false;
        }
      }
      return true;
    });
  }

  /** The current master and replica of the shard whose master was, at the start, node `shard`. */
  async pair(shard: number): Promise<{ master: RedisNode; replica: RedisNode | undefined }> {
    const shardNodes = this.nodes.filter((_, i) => i % 3 === shard);
    let master: RedisNode | undefined;
    let replica: RedisNode | undefined;
    for (const node of shardNodes) {
      if (!node.daemon.running) continue;
      if ((await node.role()) === 'master') master = node;
      else replica = node;
    }
    if (!master) throw new Error(`shard ${shard} has no master`);
    return { master, replica };
  }

  startStopped(): void {
    for (const node of this.nodes) node.daemon.start();
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.daemon.kill()));
    rmSync(this.directory, { recursive: true, force: true });
  }

  private async untilKnown(count: number): Promise<void> {
    await until('the Redis nodes to meet', 30_000, async () => {
      const infos = await Promise.all(
        this.nodes.map((node) => node.command((c) => c.cluster('INFO'))),
      );
      return infos.every((info) =>
        new RegExp(`^cluster_known_nodes:${count}\\r?$`, 'm').test(info),
      );
    });
    log(`Redis: ${count} nodes know each other`);
  }
}
