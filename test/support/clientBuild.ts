/**
 * The CLI tests run the built client (clients/typescript/dist), as `npx hookpost` does.
 * `npm install` builds it; this rebuilds it once per test run when its sources or the
 * OpenAPI document are newer, so a test never runs yesterday's CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fromRoot } from '../../server/projectRoot.ts';

const built = fromRoot('clients', 'typescript', 'dist', 'cli', 'main.js');
const sources = [fromRoot('clients', 'typescript', 'src'), fromRoot('clients', 'openapi.json')];

function newest(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry)
    .filter((name) => name !== 'generated')
    .reduce((latest, name) => Math.max(latest, newest(path.join(entry, name))), stat.mtimeMs);
}

export function ensureClientBuilt(): void {
  if (existsSync(built) && sources.every((source) => newest(source) <= statSync(built).mtimeMs)) return;
  const result = spawnSync('npm', ['run', 'build:client'], { cwd: fromRoot(), stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`Building the client failed (exit ${result.status}).`);
}
