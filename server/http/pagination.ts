/**
 * REST lists are plain JSON arrays (the original contract); the next page is announced
 * in a `Link: <…>; rel="next"` header and in `x-next-cursor`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export function announceNextPage(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null) {
  if (!nextCursor) return;
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.set('cursor', nextCursor);
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  reply.header('x-next-cursor', nextCursor);
}
