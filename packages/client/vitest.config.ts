import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/** Component tests in jsdom. The browser tests (e2e/) have their own config. */
export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
