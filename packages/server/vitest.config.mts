import swc from 'unplugin-swc';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Two test files at a time (the machine has 2 cores), in two groups that run one after the other.
 * pipeline-redis (an API under load and three worker processes: ~25 PostgreSQL connections at its
 * peak, both cores busy) runs in the first group, beside the light in-process files only. Every
 * other file runs in the second group: live-redis (two APIs and a worker, the other big user of
 * connections), the files that start server processes, and any file not listed here.
 */
const BESIDE_PIPELINE = [
  'test/pipeline-redis.test.ts',
  'src/**/*.spec.ts',
  'test/auth.test.ts',
  'test/leaderboard.test.ts',
  'test/operations.test.ts',
  'test/processing.test.ts',
  'test/rate-limit.test.ts',
  'test/scores.test.ts',
];

function project(
  name: string,
  groupOrder: number,
  files: { include: string[]; exclude?: string[] },
): TestProjectInlineConfiguration {
  return {
    // SWC compiles the tests so that decorator metadata (Nest's dependency injection) is emitted.
    plugins: [swc.vite({ module: { type: 'es6' } })],
    test: {
      name,
      include: files.include,
      exclude: [...configDefaults.exclude, ...(files.exclude ?? [])],
      pool: 'forks',
      maxWorkers: 2,
      sequence: { groupOrder },
      // Backstops: waits on throughput are progress-based, and the files that have them set
      // longer limits of their own.
      testTimeout: 90_000,
      hookTimeout: 120_000,
    },
  };
}

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      project('server 1/2', 0, { include: BESIDE_PIPELINE }),
      project('server 2/2', 1, {
        include: ['src/**/*.spec.ts', 'test/**/*.test.ts'],
        exclude: BESIDE_PIPELINE,
      }),
    ],
  },
});
