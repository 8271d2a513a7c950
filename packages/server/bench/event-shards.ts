/**
 * Score-event throughput by shard count (EVENT_SHARDS 1, 2, 3) on a private three-master Redis
 * Cluster: for each count, BENCH_EVENTS events for BENCH_USERS users are published through
 * RedisStreamTransport (the API's path: auto-pipelined XADD to the user's shard), then drained by
 * BENCH_CONSUMERS consumers (the worker's path: receive a batch of 500, acknowledge it) with no
 * PostgreSQL work, so that the figures are the transport's alone. Each count gets a key prefix of
 * its own on the same cluster.
 *
 *   npm run bench:shards -w packages/server
 *
 * Needs redis-server on PATH. Everything runs in this one process (publishers and consumers share
 * its event loop), so on a small machine the client side may be what limits the rate: read the
 * figures against each other, not as a ceiling of Redis. Prints figures; asserts nothing.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';
import { RedisStreamTransport } from '../src/events/redis-stream.transport';
import { RedisClients } from '../src/redis/redis-clients';
import { PrivateRedisCluster } from '../test/support/redis-cluster';

const { BENCH_EVENTS = '60000', BENCH_USERS = '1000', BENCH_CONSUMERS = '3' } = process.env;
const EVENTS = Number(BENCH_EVENTS);
const USERS = Number(BENCH_USERS);
const CONSUMERS = Number(BENCH_CONSUMERS);
const BATCH = 500;
/** Publishes in flight at once (the API's concurrent requests). */
const PUBLISH_WINDOW = 1000;

type Endpoint = { redis: RedisClients; transport: RedisStreamTransport };

async function endpoint(env: Record<string, string>, shards: number): Promise<Endpoint> {
  const config = loadConfig({
    ...env,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-bench-')),
    JWT_SECRET: randomUUID(),
    EVENT_SHARDS: String(shards),
  });
  const redis = new RedisClients(config);
  await redis.onModuleInit();
  return { redis, transport: new RedisStreamTransport(redis, 60_000, shards) };
}

async function run(cluster: PrivateRedisCluster, shards: number): Promise<[number, number]> {
  const env = { ...cluster.env, REDIS_KEY_PREFIX: `bench-${randomUUID()}:` };
  const consumers = await Promise.all(
    Array.from({ length: CONSUMERS }, () => endpoint(env, shards)),
  );
  // A first receive creates each shard's group, so that what is published next is read.
  await Promise.all(consumers.map(({ transport }) => transport.receive(BATCH, 100)));
  const publisher = await endpoint(env, shards);

  const publishStart = performance.now();
  for (let sent = 0; sent < EVENTS; sent += PUBLISH_WINDOW) {
    const count = Math.min(PUBLISH_WINDOW, EVENTS - sent);
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        publisher.transport.publish({
          scoreId: String(sent + i + 1),
          userId: String(((sent + i) % USERS) + 1),
        }),
      ),
    );
  }
  const publishRate = EVENTS / ((performance.now() - publishStart) / 1000);

  let consumed = 0;
  const drainStart = performance.now();
  await Promise.all(
    consumers.map(async ({ transport }) => {
      while (consumed < EVENTS) {
        const batch = await transport.receive(BATCH, 100);
        await transport.ack(batch);
        consumed += batch.length;
      }
    }),
  );
  const drainRate = EVENTS / ((performance.now() - drainStart) / 1000);

  await Promise.all([publisher, ...consumers].map(({ redis }) => redis.onApplicationShutdown()));
  return [publishRate, drainRate];
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const cluster = await PrivateRedisCluster.start();
  try {
    console.log(
      `${EVENTS} events, ${USERS} users, ${CONSUMERS} consumers, batches of ${BATCH}, three masters`,
    );
    console.log('shards  published/s  drained/s');
    for (const shards of [1, 2, 3]) {
      const [published, drained] = await run(cluster, shards);
      console.log(
        `${String(shards).padStart(6)}  ${published.toFixed(0).padStart(11)}  ${drained.toFixed(0).padStart(9)}`,
      );
    }
  } finally {
    await cluster.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
