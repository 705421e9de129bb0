/**
 * Remembers, for a few seconds, which mailbox an API key opens and which endpoints may
 * receive its events, so accepting an event needs no lookup round trip. A change to a
 * mailbox's keys or endpoints drops its entries at once in this process and, through
 * the change bus, within moments in every other one; `ttlMs` bounds how stale an entry
 * can get if a notification is lost, and a key being rotated out is never cached past
 * its revocation time. Unknown keys are not cached, so random keys cannot fill it.
 *
 * A busy key must never miss: when its entry expired, every request arriving during
 * the lookup used to run a lookup of its own, and at 2,000 events/s those queued behind
 * the ingest transactions for a pool connection, stalling ingest for ~250 ms every
 * `ttlMs`. So a key has at most one lookup in flight, which every caller shares, and an
 * entry in use is refreshed in the background shortly before it expires.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { findRoute, type Route } from './sql/findRoute.ts';

export interface RouteCache {
  find(apiKeyHash: Buffer): Promise<Route | null>;
  /** Call after changing a mailbox's keys or endpoints. */
  changed(mailboxId: string): void;
  /** Whether a key is cached as good right now, without a lookup (auth/authThrottle.ts). */
  has(apiKeyHash: Buffer): boolean;
}

interface Entry {
  route: Route;
  /** Past this, the entry is not used. */
  expiresAt: number;
  /** Past this, a use starts a background refresh. */
  refreshAt: number;
}

export function createRouteCache(options: {
  db: Queryable;
  changes: ChangeBus;
  ttlMs?: number;
  maxEntries?: number;
}): RouteCache {
  const ttlMs = options.ttlMs ?? 5_000;
  const refreshAheadMs = Math.min(1_000, ttlMs / 5);
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const lookups = new Map<string, Promise<Route | null>>();
  // A lookup that began before a change may have read the routing from before it; it
  // still answers its callers (they arrived before the change) but is not remembered.
  let generation = 0;

  const forget = (mailboxId: string) => {
    generation++;
    for (const [key, entry] of entries) if (entry.route.mailboxId === mailboxId) entries.delete(key);
  };
  options.changes.subscribe((changes) => {
    for (const change of changes) if (change.kind === 'routing') forget(change.mailboxId);
  });
  options.changes.onResync(() => {
    generation++;
    entries.clear();
  });

  const remember = (key: string, route: Route | null, startedAt: number) => {
    if (!route) {
      entries.delete(key);
      return;
    }
    const revokes = route.keyRevokedAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const expiresAt = Math.min(startedAt + ttlMs, revokes);
    entries.delete(key);
    entries.set(key, { route, expiresAt, refreshAt: expiresAt - refreshAheadMs });
    // Map keeps insertion order: the first keys are the least recently looked up.
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  };

  const lookup = (key: string, apiKeyHash: Buffer): Promise<Route | null> => {
    const running = lookups.get(key);
    if (running) return running;
    const startedAt = Date.now();
    const startedIn = generation;
    const promise = findRoute(options.db, apiKeyHash)
      .then((route) => {
        if (generation === startedIn) remember(key, route, startedAt);
        return route;
      })
      .finally(() => lookups.delete(key));
    lookups.set(key, promise);
    return promise;
  };

  return {
    async find(apiKeyHash) {
      const key = apiKeyHash.toString('base64');
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && hit.expiresAt > now) {
        // A failed refresh is not this request's problem: the entry is still good, and
        // if lookups keep failing the first request after expiry reports it.
        if (hit.refreshAt <= now) lookup(key, apiKeyHash).catch(() => undefined);
        return hit.route;
      }
      if (hit) entries.delete(key);
      return lookup(key, apiKeyHash);
    },
    changed(mailboxId) {
      forget(mailboxId);
      options.changes.publish({ kind: 'routing', mailboxId });
    },
    has(apiKeyHash) {
      return (entries.get(apiKeyHash.toString('base64'))?.expiresAt ?? 0) > Date.now();
    },
  };
}
