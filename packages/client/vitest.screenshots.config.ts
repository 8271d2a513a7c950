import { defineConfig } from 'vitest/config';

/** The screenshots in docs/ (npm run screenshots): the browser tests' machinery, run on demand. */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/screenshots.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
