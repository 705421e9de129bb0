/**
 * Compression of answers made per request, on the routes registered after it: JSON
 * (REST lists, GraphQL results; a page of 100 events is ~10x smaller) and HTML pages
 * (GraphiQL: about 9 MB, ~1 MB with brotli). The dashboard's own files are compressed at
 * build time instead (dashboard.ts). Left as they are: answers under 1 KiB (ingest's
 * 202s, most actions), live streams (SSE is text/event-stream; WebSockets are not HTTP
 * answers), and request bodies, which are never decompressed (ingest keeps its rules).
 */
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCompress, {
    globalCompression: true,
    globalDecompression: false,
    encodings: ['br', 'gzip'],
    customTypes: /^(text\/html|application\/json|application\/graphql-response\+json)(;|$)/,
    threshold: 1024,
  });
}
