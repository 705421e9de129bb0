/**
 * The dashboard's build. Root is web/, output web/dist (served by server/http/dashboard.ts
 * on the API's port). `npm run dev` serves it with hot reload and proxies the API to a
 * running Hookpost (HOOKPOST_URL, default http://127.0.0.1:8000), WebSocket included,
 * so the session cookie and GraphQL subscriptions work as in production.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.HOOKPOST_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No manual chunks: Recharts is imported only by the overview's lazy charts module,
    // so it lands in that module's chunk and loads with the overview, never with sign-in.
    chunkSizeWarningLimit: 800,
  },
  server: {
    port: Number(process.env.DASHBOARD_DEV_PORT ?? 5173),
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/api': { target: api },
      '/webhooks': { target: api },
    },
  },
});
