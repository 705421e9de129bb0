/**
 * `npm start`'s first step (`prestart`, with web/scripts/ensureBuilt.ts for the
 * dashboard): compiles the server to dist/ when it is missing or older than its sources,
 * so a fresh clone runs with `npm install && npm start`. When it is up to date this only
 * compares file times: a few milliseconds. With `--server` (`npm run build:server`) it
 * compiles the server whatever the times say.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromRoot } from '../projectRoot.ts';

const compiledMain = fromRoot('dist', 'server', 'main.js');
// ReDoc is a development dependency (its own dependencies weigh ~70 MB); its standalone
// bundle needs none of them, so the build keeps a copy that /redoc serves (http/docs.ts).
const vendoredRedoc = fromRoot('dist', 'vendor', 'redoc.standalone.js');
const sources = ['server', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestChange(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestChange(path.join(entry, child)));
  return newest;
}

export function serverIsStale(): boolean {
  if (!existsSync(compiledMain) || !existsSync(vendoredRedoc)) return true;
  const built = statSync(compiledMain).mtimeMs;
  return sources.some((source) => newestChange(fromRoot(source)) > built);
}

export function ensureServerBuilt(log: (line: string) => void = console.log, always = false): void {
  if (!always && !serverIsStale()) return;
  const tsc = fromRoot('node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc)) {
    if (existsSync(compiledMain))
      return log('The compiled server may be out of date (TypeScript is not installed to rebuild it).');
    throw new Error(
      'The server is not compiled (dist/) and TypeScript is not installed: run `npm install`, or `npm run build` where dev dependencies are.',
    );
  }
  log('Compiling the server (dist/)…');
  rmSync(fromRoot('dist', 'server'), { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', fromRoot('tsconfig.build.json')], {
    cwd: fromRoot(),
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`Compiling the server failed (exit ${result.status}).`);
  mkdirSync(path.dirname(vendoredRedoc), { recursive: true });
  copyFileSync(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'), vendoredRedoc);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureServerBuilt(console.log, process.argv.includes('--server'));
}
