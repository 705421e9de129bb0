/**
 * What every resolver gets: the process's runtime (services take it first) and the
 * caller, resolved exactly as for REST (by the gate in http/authenticate.ts), for
 * queries, SSE and WebSocket alike.
 */
import type { Actor } from '../auth/roles.ts';
import type { Runtime } from '../runtime.ts';
import type { LiveQuota } from './live/liveQuota.ts';

export interface GraphQLContext {
  rt: Runtime;
  actor: Actor | null;
  /** Aborted when the HTTP server closes, so live subscriptions end instead of holding it open. */
  shutdown?: AbortSignal;
  /** The live subscriptions each token holds in this process. */
  liveQuota: LiveQuota;
}
