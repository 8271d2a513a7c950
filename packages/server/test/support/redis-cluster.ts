import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import type { RedisConnection } from '../../src/redis/redis-clients';
import { freePort, PrivateRedis, withRedis } from './processes';
import { waitFor } from './wait-for';

/** The 16,384 hash slots, split evenly over the masters. */
const SLOTS = 16_384;
const MASTERS = 3;
/**
 * A node takes this long (clamped to 0.5-5 s) before it calls the cluster ok after joining it:
 * the default, 15 s, would make each start last over 5 s. Not much less, though: a node that
 * misses pings this long on a loaded machine is taken for failed.
 */
const NODE_TIMEOUT_MS = 2000;

type Node = { port: number; busPort: number; process?: ChildProcess };

/**
 * A Redis Cluster of the test's own: three masters (no replicas) on free ports, its node files in
 * a temporary directory. Like PrivateRedis, it can be stopped and started again (the nodes come
 * back as the same cluster, empty) and flushed, without disturbing anything else on the machine.
 */
export class PrivateRedisCluster {
  private readonly dir = mkdtempSync(join(tmpdir(), 'scoreboard-redis-cluster-'));

  private constructor(private readonly nodes: Node[]) {}

  static async start(): Promise<PrivateRedisCluster> {
    // The cluster bus port is given too: the default, port + 10000, may be past 65535.
    const ports = await Promise.all(Array.from({ length: 2 * MASTERS }, () => freePort()));
    const nodes = Array.from({ length: MASTERS }, (_, i) => ({
      port: ports[i]!,
      busPort: ports[MASTERS + i]!,
    }));
    const cluster = new PrivateRedisCluster(nodes);
    await cluster.spawnNodes();
    await cluster.create();
    return cluster;
  }

  /** REDIS_URL: every node, as seeds. */
  get url(): string {
    return this.nodes.map(({ port }) => `redis://127.0.0.1:${port}`).join(',');
  }

  get env(): { REDIS_URL: string; REDIS_CLUSTER: string } {
    return { REDIS_URL: this.url, REDIS_CLUSTER: 'true' };
  }

  /** Starts the nodes again after `stop`: they find each other from their node files. */
  async start(): Promise<void> {
    await this.spawnNodes();
    await this.untilServing();
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        const child = node.process;
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }

  /** Stops the nodes for good and removes their files. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** FLUSHALL runs on one node only: every master is flushed. */
  async flushAll(): Promise<void> {
    await this.onEveryNode((client) => client.flushall());
  }

  /** Runs a server-wide command (CLIENT PAUSE, INFO) on every master. */
  onEveryNode<T>(work: (client: Redis) => Promise<T>): Promise<T[]> {
    return Promise.all(this.nodes.map((node) => this.onNode(node, work)));
  }

  /** Runs commands through a Cluster client, which routes each key to its node. */
  async command<T>(work: (client: Cluster) => Promise<T>): Promise<T> {
    const client = new Cluster(
      this.nodes.map(({ port }) => ({ host: '127.0.0.1', port })),
      { clusterRetryStrategy: () => null, redisOptions: { maxRetriesPerRequest: 0 } },
    );
    client.on('error', () => undefined); // the command's promise reports it
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }

  private async spawnNodes(): Promise<void> {
    for (const node of this.nodes) {
      node.process = spawn(
        'redis-server',
        [
          ...['--port', String(node.port), '--bind', '127.0.0.1'],
          ...['--cluster-enabled', 'yes', '--cluster-port', String(node.busPort)],
          ...['--cluster-node-timeout', String(NODE_TIMEOUT_MS)],
          ...['--cluster-config-file', `nodes-${node.port}.conf`, '--dir', this.dir],
          ...['--save', '', '--appendonly', 'no'],
        ],
        { stdio: 'ignore' },
      );
    }
    await Promise.all(
      this.nodes.map((node) =>
        waitFor(() => this.onNode(node, (client) => client.ping()), { what: 'a cluster node' }),
      ),
    );
  }

  /** What `redis-cli --cluster create` does, without its fixed waits: slots, epochs, meet. */
  private async create(): Promise<void> {
    const [first, ...others] = this.nodes;
    await Promise.all(
      this.nodes.map((node, i) =>
        this.onNode(node, async (client) => {
          const from = Math.floor((i * SLOTS) / MASTERS);
          const to = Math.floor(((i + 1) * SLOTS) / MASTERS) - 1;
          await client.call('CLUSTER', 'ADDSLOTSRANGE', String(from), String(to));
          await client.call('CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1));
        }),
      ),
    );
    await this.onNode(first!, async (client) => {
      for (const node of others) {
        await client.call('CLUSTER', 'MEET', '127.0.0.1', String(node.port), String(node.busPort));
      }
    });
    await this.untilServing();
  }

  /** Until every node sees every slot served and the others up. */
  private async untilServing(): Promise<void> {
    await waitFor(
      async () => {
        const infos = await Promise.all(
          this.nodes.map((node) => this.onNode(node, (client) => client.cluster('INFO'))),
        );
        return infos.every(
          (info) =>
            /^cluster_state:ok\r?$/m.test(info) &&
            new RegExp(`^cluster_known_nodes:${MASTERS}\\r?$`, 'm').test(info),
        );
      },
      { what: 'the Redis Cluster to serve every slot', timeoutMs: 30_000 },
    );
  }

  private onNode<T>(node: Node, work: (client: Redis) => Promise<T>): Promise<T> {
    return withRedis(`redis://127.0.0.1:${node.port}`, work);
  }
}

/**
 * A private Redis for a test file, one node or a cluster: the files that test the Redis pipeline,
 * leaderboards and live updates run their scenarios over both.
 */
export type TestRedis = {
  readonly url: string;
  readonly env: { REDIS_URL: string; REDIS_CLUSTER: string };
  command<T>(work: (client: RedisConnection) => Promise<T>): Promise<T>;
  flushAll(): Promise<void>;
  onEveryNode<T>(work: (client: Redis) => Promise<T>): Promise<T[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
};

export const REDIS_TOPOLOGIES = ['single node', 'cluster'] as const;
export type RedisTopology = (typeof REDIS_TOPOLOGIES)[number];

export function startTestRedis(topology: RedisTopology): Promise<TestRedis> {
  return topology === 'cluster' ? PrivateRedisCluster.start() : PrivateRedis.start();
}
