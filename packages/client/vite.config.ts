import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [react()],
  // `npm run dev`: the dev server (port 5173) sends API calls to the server on PORT.
  server: { proxy: { '/api': `http://localhost:${process.env.PORT ?? 3000}` } },
});
