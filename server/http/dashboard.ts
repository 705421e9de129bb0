/**
 * The built dashboard (web/dist) at `/`, on the API's port. Hashed assets are cached
 * for a year; index.html never, so a new build shows up on the next load. Paths the
 * dashboard routes itself (/events/…, /mailboxes/…) get index.html from the
 * not-found handler.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fromRoot } from '../projectRoot.ts';

export const dashboardDir = fromRoot('web', 'dist');

/** Serves the dashboard; returns how to read its index.html, or null when it is not built. */
export async function registerDashboard(
  app: FastifyInstance,
  dir = dashboardDir,
): Promise<(() => Promise<Buffer | null>) | null> {
  if (!existsSync(path.join(dir, 'index.html'))) return null;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    setHeaders(res, filePath) {
      res.header('cache-control', filePath.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
  return () => fs.readFile(path.join(dir, 'index.html')).catch(() => null);
}
