/**
 * REST lists are plain JSON arrays (the original contract); the next page is announced
 * in a `Link: <…>; rel="next"` header and in `x-next-cursor`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Prisma paging for a page of `limit` items after `cursor`: one more row, to learn whether another page follows. */
export function pageAfter(limit: number, cursor: string | undefined) {
  return { take: limit + 1, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) };
}

/** The page's rows, and the cursor of the next page when there is one (see pageAfter). */
export function splitPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

export function announceNextPage(request: FastifyRequest, reply: FastifyReply, nextCursor: string | null) {
  if (!nextCursor) return;
  const url = new URL(request.url, 'http://placeholder');
  url.searchParams.set('cursor', nextCursor);
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  reply.header('x-next-cursor', nextCursor);
}
