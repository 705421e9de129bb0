/**
 * The built dashboard (web/dist) at `/`, on the API's port. Hashed assets are cached
 * for a year; index.html never, so a new build shows up on the next load. Paths the
 * dashboard routes itself (/events/…, /mailboxes/…) get index.html from the
 * not-found handler.
 *
 * Assets are served compressed: the build writes a brotli (.br) and a gzip (.gz) copy of
 * each text file, and @fastify/static picks the one the browser accepts, so no CPU is
 * spent compressing them per request.
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
    preCompressed: true,
    setHeaders(res, filePath) {
      res.header(
        'cache-control',
        /index\.html(\.br|\.gz)?$/.test(filePath) ? 'no-cache' : 'public, max-age=31536000, immutable',
      );
    },
  });
  return () => fs.readFile(path.join(dir, 'index.html')).catch(() => null);
}
