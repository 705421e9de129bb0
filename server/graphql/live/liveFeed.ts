/**
 * One subscriber's feed of changes from the change bus (db/changeBus.ts), coalesced:
 * changes wait in a bounded buffer (coalescer.ts) and go out as one batch per window,
 * and never faster than the subscriber takes them: while a batch is unread, new changes
 * keep merging into the buffer instead of queueing up behind it. A LISTEN reconnect
 * (`onResync`) goes out as a batch with `resync: true`. The feed ends when the access
 * token it was opened with is revoked, whichever process revoked it.
 */
import { Repeater } from 'graphql-yoga';
import { revokes, type Change, type ChangeBus } from '../../db/changeBus.ts';
import { Coalescer, type LiveBatch } from './coalescer.ts';

/** How long changes gather before a payload is sent, in ms. */
export const LIVE_WINDOW_MS = 200;
/** The most items one payload carries. */
export const LIVE_MAX_ITEMS = 100;

export interface LiveFeedOptions<V> {
  /** The key and value a change contributes, or null when this subscriber does not want it. */
  pick(change: Change): [key: string, value: V] | null;
  merge?: (waiting: V, next: V) => V;
  /** Ends the feed (server shutdown). */
  signal?: AbortSignal;
  /** The access token of the subscriber: its revocation ends the feed. */
  tokenId?: string;
  windowMs?: number;
  maxItems?: number;
  /** Called once when the feed ends, however it ends (its place in the live quota). */
  onEnd?: () => void;
}

export function liveFeed<V>(changes: ChangeBus, options: LiveFeedOptions<V>): AsyncIterableIterator<LiveBatch<V>> {
  const windowMs = options.windowMs ?? LIVE_WINDOW_MS;
  const feed = new Repeater<LiveBatch<V>>(async (push, stop) => {
    const buffer = new Coalescer<V>(options.maxItems ?? LIVE_MAX_ITEMS, options.merge);
    let timer: NodeJS.Timeout | null = null;
    let unread = false;

    const flush = () => {
      timer = null;
      if (buffer.isEmpty) return;
      unread = true;
      // push() settles when the subscriber has taken the batch; only then may the next go.
      void push(buffer.take()).then(() => {
        unread = false;
        schedule();
      });
    };
    const schedule = () => {
      if (!timer && !unread && !buffer.isEmpty) timer = setTimeout(flush, windowMs);
    };

    const offChanges = changes.subscribe((batch) => {
      for (const change of batch) {
        if (options.tokenId && revokes(change, options.tokenId)) return void stop();
        const picked = options.pick(change);
        if (picked) buffer.add(picked[0], picked[1]);
      }
      schedule();
    });
    const offResync = changes.onResync(() => {
      buffer.markResync();
      schedule();
    });
    const onAbort = () => stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) stop();

    await stop;
    offChanges();
    offResync();
    options.signal?.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  });
  return options.onEnd ? endingWith(feed, options.onEnd) : feed;
}

/**
 * The iterator, calling `onEnd` once when it finishes, fails or is returned: also when
 * it is returned before its first item (a Repeater then never runs its executor).
 */
function endingWith<T>(iterator: AsyncIterableIterator<T>, onEnd: () => void): AsyncIterableIterator<T> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) end();
        return result;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return(value?: unknown) {
      end();
      return iterator.return ? iterator.return(value) : { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      end();
      return iterator.throw ? iterator.throw(error) : Promise.reject(error);
    },
  };
}
