/**
 * HTTP adapter benchmark (issue 2): POST /api/scores with a unique idempotency key per request, on
 * the Express adapter (the product, src/http-app.ts) and on an equivalent Fastify build of the same
 * AppModule, each over a fresh database, in one run. autocannon runs as a separate process so the
 * load generator does not share the server's event loop. Both orders are run to expose drift.
 *
 *   npm run bench:http -w packages/server
 *
 * Needs the PostgreSQL of SPEC section 4 at 127.0.0.1:5432. Prints figures; asserts nothing.
 */
import 'reflect-metadata';
import helmet from '@fastify/helmet';
import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../src/app.module';
import { ApiExceptionFilter } from '../src/common/api-exception.filter';
import { createLogger } from '../src/common/logger';
import { createValidationPipe } from '../src/common/validation';
import { loadConfig, type AppConfig } from '../src/config/app-config';
import { createHttpApp } from '../src/http-app';
import { ApiClient } from '../test/support/api-client';
import { createTestDatabase } from '../test/support/test-database';
import { fixed } from './percentiles';

/** Script parameters (see the header). */
const { BENCH_CONNECTIONS = '50', BENCH_SECONDS = '15' } = process.env;
const CONNECTIONS = Number(BENCH_CONNECTIONS);
const SECONDS = Number(BENCH_SECONDS);
const WARMUP_SECONDS = 3;
const AUTOCANNON = join(__dirname, '..', '..', '..', '..', 'node_modules', '.bin', 'autocannon');

const run = promisify(execFile);

type Adapter = 'express' | 'fastify';
type Result = {
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  errors: number;
  non2xx: number;
};

/** The same application on Fastify: same module, prefix, validation and error shape; @fastify/helmet. */
async function createFastifyApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter({ bodyLimit: 16 * 1024, logger: false }),
    { logger: false },
  );
  await app.register(helmet);
  app.setGlobalPrefix('api', { exclude: ['metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter(app.get(HttpAdapterHost)));
  await app.init();
  return app;
}

async function measure(adapter: Adapter): Promise<Result> {
  const database = await createTestDatabase(`bench_http_${adapter}`);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-characters',
    LOG_LEVEL: 'warn',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'scoreboard-bench-')),
  });
  const app =
    adapter === 'express'
      ? await createHttpApp(config, createLogger(config))
      : await createFastifyApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  try {
    const url = `http://127.0.0.1:${port}`;
    const { token } = await new ApiClient(url).signup();
    const args = (seconds: number) => [
      '--json',
      '-c',
      String(CONNECTIONS),
      '-d',
      String(seconds),
      '-m',
      'POST',
      '-H',
      `authorization=Bearer ${token}`,
      '-H',
      'content-type=application/json',
      '-I',
      '-b',
      '{"value":42,"idempotency_key":"[<id>]"}',
      `${url}/api/scores`,
    ];
    // Asynchronously: the server under test runs on this process's event loop.
    await run(AUTOCANNON, args(WARMUP_SECONDS));
    const { stdout } = await run(AUTOCANNON, args(SECONDS));
    const report = JSON.parse(stdout);
    return {
      rps: report.requests.average,
      p50: report.latency.p50,
      p97_5: report.latency.p97_5,
      p99: report.latency.p99,
      errors: report.errors + report.timeouts,
      non2xx: report.non2xx,
    };
  } finally {
    await app.close();
    await database.drop();
  }
}

async function main(): Promise<void> {
  console.log(
    `POST /api/scores, unique keys, ${CONNECTIONS} connections, ${SECONDS} s measured after ${WARMUP_SECONDS} s warm-up`,
  );
  const rows: string[][] = [];
  for (const [round, order] of [
    [1, ['express', 'fastify']],
    [2, ['fastify', 'express']],
  ] as const) {
    const results: Partial<Record<Adapter, Result>> = {};
    for (const adapter of order) {
      const result = await measure(adapter);
      results[adapter] = result;
      rows.push([
        String(round),
        adapter,
        fixed(result.rps),
        fixed(result.p50),
        fixed(result.p97_5),
        fixed(result.p99),
        String(result.errors),
        String(result.non2xx),
      ]);
    }
    rows.push([
      String(round),
      'fastify/express',
      `${fixed(results.fastify!.rps / results.express!.rps, 2)} x`,
      '',
      '',
      '',
      '',
      '',
    ]);
  }
  const header = ['round', 'adapter', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'errors', 'non-2xx'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows])
    console.log(row.map((c, i) => c.padStart(widths[i]!)).join('  '));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
