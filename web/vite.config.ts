/**
 * The dashboard's build. Root is web/, output web/dist (served by server/http/dashboard.ts
 * on the API's port). `npm run dev` serves it with hot reload and proxies the API to a
 * running Hookpost (HOOKPOST_URL, default http://127.0.0.1:8000), WebSocket included,
 * so the session cookie and GraphQL subscriptions work as in production.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const api = process.env.HOOKPOST_URL ?? 'http://127.0.0.1:8000';

/**
 * Writes a brotli (.br, best quality) and a gzip (.gz) copy beside each text file of the
 * build, once, so the server sends them as they are (server/http/dashboard.ts).
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'hookpost-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const file = path.join(dir, name);
          return statSync(file).isDirectory() ? walk(file) : [file];
        });
      for (const file of walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file) || statSync(file).size < 1024) continue;
        const bytes = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No manual chunks: Recharts is imported only by the lazy chart modules (the overview's
    // and the endpoint health page's), so it lands in their shared charts chunk and loads
    // with them, never with sign-in.
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
