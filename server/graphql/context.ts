/**
 * What every resolver gets: the process's runtime (services take it first) and the
 * caller, resolved exactly as for REST (by the gate in http/authenticate.ts), for
 * queries, SSE and WebSocket alike.
 */
import type { Actor } from '../auth/roles.ts';
import type { Runtime } from '../runtime.ts';
import type { LiveFeeds } from './live/liveFeeds.ts';
import type { LiveReads } from './live/liveReads.ts';

export interface GraphQLContext {
  rt: Runtime;
  actor: Actor | null;
  /** Aborted when the HTTP server closes, so live subscriptions end instead of holding it open. */
  shutdown?: AbortSignal;
  /** The live feeds of this process, shared by subscribers that ask for the same changes. */
  liveFeeds: LiveFeeds;
  /** The rows live payloads show, read once per change whoever asks. */
  liveReads: LiveReads;
}
