/**
 * When a caller's access ends while it holds a live connection (a WebSocket, an SSE
 * subscription): its access token is revoked, its dashboard session is signed out, or
 * that session expires. Whichever process ended it, the change bus tells every process,
 * so the connection is closed at once instead of outliving the access it was opened with;
 * and a session or token that expires closes it when it does.
 */
import type { Actor } from '../auth/roles.ts';
import { endsSession, revokes, type ChangeBus } from '../db/changeBus.ts';

/** setTimeout's longest delay; a session expiring later is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `end` once when the caller's access ends. Returns how to stop watching. */
export function watchAccessEnd(changes: ChangeBus, actor: Actor, end: (reason: string) => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let ended = false;
  const finish = (reason: string) => {
    if (ended) return;
    stop();
    ended = true;
    end(reason);
  };
  const off = changes.subscribe((batch) => {
    for (const change of batch) {
      if (revokes(change, actor.tokenId)) return finish('the access token was revoked');
      if (actor.session && endsSession(change, actor.session.id)) return finish('the session was signed out');
    }
  });
  const ends = [actor.session?.expiresAt.getTime(), actor.expiresAt?.getTime()].filter((at) => at !== undefined);
  const expiresAt = ends.length > 0 ? Math.min(...ends) : undefined;
  const arm = () => {
    if (expiresAt === undefined) return;
    const inMs = expiresAt - Date.now();
    if (inMs <= 0)
      return finish(
        actor.session?.expiresAt.getTime() === expiresAt ? 'the session expired' : 'the access token expired',
      );
    timer = setTimeout(arm, Math.min(inMs, MAX_TIMER_MS));
  };
  const stop = () => {
    off();
    if (timer) clearTimeout(timer);
    timer = null;
  };
  arm();
  return stop;
}
