import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { resolveSdk } from './vite.config';

/** Component tests in jsdom. The browser tests (e2e/) have their own config. */
export default defineConfig({
  plugins: [react()],
  resolve: resolveSdk,
  test: {
    environment: 'jsdom',
    // jsdom renders slowly on a loaded 2-core machine: the default 5 s timed out whole forms.
    testTimeout: 30_000,
    include: ['src/**/*.test.{ts,tsx}'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
