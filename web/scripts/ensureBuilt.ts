/**
 * Builds the dashboard when web/dist is missing or older than its sources, so that
 * `npm install && npm start` on a fresh clone serves it (`prestart`), and the browser
 * tests run against what the code says now. When it is up to date this only compares
 * file times: a few milliseconds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const builtIndex = path.join(root, 'web/dist/index.html');
const sources = [
  'web/src',
  'web/public',
  'web/index.html',
  'web/vite.config.ts',
  'schema.graphql',
  'codegen.ts',
  'package-lock.json',
];

function newestChange(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) {
    // Generated documents follow schema.graphql and web/src; their own times say nothing.
    if (child === 'generated') continue;
    newest = Math.max(newest, newestChange(path.join(entry, child)));
  }
  return newest;
}

export function dashboardIsStale(): boolean {
  if (!existsSync(builtIndex)) return true;
  const built = statSync(builtIndex).mtimeMs;
  return sources.some((source) => newestChange(path.join(root, source)) > built);
}

/** Builds when stale. Returns false when it could not (no dev dependencies installed). */
export function ensureDashboardBuilt(log: (line: string) => void = console.log): boolean {
  if (!dashboardIsStale()) return true;
  if (!existsSync(path.join(root, 'node_modules/vite'))) {
    log(
      existsSync(builtIndex)
        ? 'The dashboard may be out of date (Vite is not installed to rebuild it).'
        : 'The dashboard is not built and Vite is not installed: the API runs without it.',
    );
    return false;
  }
  log('Building the dashboard (web/dist)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // A production build even when called from a test runner, whose NODE_ENV=test would
  // make Vite bundle React's development build.
  const result = spawnSync(npm, ['run', '--silent', 'build:web'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`Building the dashboard failed (exit ${result.status}).`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  // Worker-only processes serve no pages.
  if (process.env.HOOKPOST_ROLE !== 'worker') ensureDashboardBuilt();
}
