import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard talks to the server through @scoreboard/sdk, bundled from its TypeScript source
 * (as tsconfig.json's `paths` does for the type check), so that no build of the SDK comes first.
 */
export const resolveSdk = {
  alias: { '@scoreboard/sdk': fileURLToPath(new URL('../sdk/src/index.ts', import.meta.url)) },
};

export default defineConfig({
  plugins: [react()],
  resolve: resolveSdk,
  // `npm run dev`: the dev server (port 5173) sends API calls to the server on PORT.
  server: { proxy: { '/api': `http://localhost:${process.env.PORT ?? 3000}` } },
});
