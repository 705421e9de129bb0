/**
 * The checkout's root folder, found from this file whether it runs as TypeScript
 * (server/) or compiled (dist/server/): the first folder upwards with a package.json.
 * Files the program reads beside its code (migrations, the built dashboard) are found
 * from here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}.`);
  }
}

export const projectRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));

export const fromRoot = (...segments: string[]): string => path.join(projectRoot, ...segments);
