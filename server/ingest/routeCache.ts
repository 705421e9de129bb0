/**
 * Remembers, for a few seconds, which mailbox an API key opens and which endpoints may
 * receive its events, so accepting an event needs no lookup round trip. A change to a
 * mailbox's keys or endpoints drops its entries at once in this process and, through
 * the change bus, within moments in every other one; `ttlMs` bounds how stale an entry
 * can get if a notification is lost, and a key being rotated out is never cached past
 * its revocation time. Unknown keys are not cached, so random keys cannot fill it.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { findRoute, type Route } from './sql/findRoute.ts';

export interface RouteCache {
  find(apiKeyHash: Buffer): Promise<Route | null>;
  /** Call after changing a mailbox's keys or endpoints. */
  changed(mailboxId: string): void;
}

export function createRouteCache(options: { db: Queryable; changes: ChangeBus; ttlMs?: number; maxEntries?: number }): RouteCache {
  const ttlMs = options.ttlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { route: Route; expiresAt: number }>();

  const forget = (mailboxId: string) => {
    for (const [key, entry] of entries) if (entry.route.mailboxId === mailboxId) entries.delete(key);
  };
  options.changes.subscribe((changes) => {
    for (const change of changes) if (change.kind === 'routing') forget(change.mailboxId);
  });
  options.changes.onResync(() => entries.clear());

  return {
    async find(apiKeyHash) {
      const key = apiKeyHash.toString('base64');
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now) return hit.route;
      if (hit) entries.delete(key);
      const route = await findRoute(options.db, apiKeyHash);
      if (route) {
        const revokes = route.keyRevokedAt?.getTime() ?? Number.POSITIVE_INFINITY;
        entries.set(key, { route, expiresAt: Math.min(now + ttlMs, revokes) });
        // Map keeps insertion order: the first keys are the oldest.
        for (const oldest of entries.keys()) {
          if (entries.size <= maxEntries) break;
          entries.delete(oldest);
        }
      }
      return route;
    },
    changed(mailboxId) {
      forget(mailboxId);
      options.changes.publish({ kind: 'routing', mailboxId });
    },
  };
}
