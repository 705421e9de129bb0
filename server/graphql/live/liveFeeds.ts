/**
 * Live feeds, shared: every subscriber in this process that asks for the same changes
 * (the same subscription field with the same arguments, such as `eventReceived(mailboxId:
 * X)`) is served by one feed. The feed listens to the change bus (db/changeBus.ts), picks
 * its changes, gathers them in one bounded buffer (coalescer.ts) and sends one batch per
 * window to all its subscribers — the same batch, holding the same change objects, so the
 * rows the payloads show are read once per change, not once per subscriber (liveReads.ts).
 * However many dashboards watch a mailbox, a burst costs one buffer, one timer and one
 * read per window.
 *
 * Each subscriber still gets batches no faster than it takes them: one that has not taken
 * the previous batch when the next goes out merges what follows into a bounded buffer of
 * its own, and gets it as one batch once it has (a window after its previous one at the
 * soonest, so no subscriber gets more than one payload per window). A LISTEN reconnect
 * goes out as a batch with `resync: true`. A subscription ends when the access token it
 * was opened with is revoked (whichever process revoked it) or its signal aborts, and
 * holds a place in its token's live quota (liveQuota.ts) while open. A feed stops when its
 * last subscriber leaves; a subscriber that joins a running feed may also get changes from
 * up to one window before it joined.
 */
import { Repeater } from 'graphql-yoga';
import { revokes, type Change, type ChangeBus } from '../../db/changeBus.ts';
import { Coalescer, type LiveBatch } from './coalescer.ts';
import type { LiveQuota } from './liveQuota.ts';

/** How long changes gather before a payload is sent, in ms. */
export const LIVE_WINDOW_MS = 200;
/** The most items one payload carries. */
export const LIVE_MAX_ITEMS = 100;

export interface LiveFeedSpec<V> {
  /** Subscribers with equal keys share one feed: the subscription field and its arguments. */
  key: string;
  /** What a change contributes to the feed, or null when the feed does not want it. */
  pick(change: Change): V | null;
  /** Values with equal keys merge while they wait (several changes of one delivery). */
  keyOf(value: V): string;
  merge?: (waiting: V, next: V) => V;
}

export interface LiveSubscriber {
  /** Ends the subscription (server shutdown, the dashboard session ended). */
  signal?: AbortSignal;
  /** The access token it was opened with: its revocation ends it, and its quota counts it. */
  tokenId?: string;
}

export interface LiveFeeds {
  /**
   * A subscription to the feed of `spec.key`, starting the feed when none runs; throws
   * `too_many_subscriptions` when the token's quota is full.
   */
  subscribe<V>(spec: LiveFeedSpec<V>, subscriber: LiveSubscriber): AsyncIterableIterator<LiveBatch<V>>;
  /** Feeds running now: one per distinct key that has subscribers. */
  readonly running: number;
}

export interface LiveFeedsOptions {
  quota: LiveQuota;
  /** Default LIVE_WINDOW_MS. */
  windowMs?: number;
  /** Default LIVE_MAX_ITEMS. */
  maxItems?: number;
}

interface Member<V> {
  tokenId?: string;
  offer(batch: LiveBatch<V>): void;
  end(): void;
}

interface Feed<V> {
  join(member: Member<V>): void;
  leave(member: Member<V>): void;
}

export function createLiveFeeds(changes: ChangeBus, options: LiveFeedsOptions): LiveFeeds {
  const windowMs = options.windowMs ?? LIVE_WINDOW_MS;
  const maxItems = options.maxItems ?? LIVE_MAX_ITEMS;
  const feeds = new Map<string, Feed<unknown>>();

  function startFeed<V>(spec: LiveFeedSpec<V>): Feed<V> {
    const buffer = new Coalescer<V>(maxItems, spec.merge);
    const members = new Set<Member<V>>();
    let timer: NodeJS.Timeout | null = null;

    const flush = () => {
      timer = null;
      if (buffer.isEmpty) return;
      const batch = buffer.take();
      for (const member of members) member.offer(batch);
    };
    const schedule = () => {
      if (!timer && !buffer.isEmpty) timer = setTimeout(flush, windowMs);
    };
    const offChanges = changes.subscribe((batch) => {
      for (const change of batch) {
        if (change.kind === 'access') {
          for (const member of members) if (member.tokenId && revokes(change, member.tokenId)) member.end();
          continue;
        }
        const value = spec.pick(change);
        if (value !== null) buffer.add(spec.keyOf(value), value);
      }
      schedule();
    });
    const offResync = changes.onResync(() => {
      buffer.markResync();
      schedule();
    });

    const feed: Feed<V> = {
      join: (member) => void members.add(member),
      leave(member) {
        members.delete(member);
        if (members.size > 0) return;
        offChanges();
        offResync();
        if (timer) clearTimeout(timer);
        feeds.delete(spec.key);
      },
    };
    feeds.set(spec.key, feed as Feed<unknown>);
    return feed;
  }

  return {
    subscribe<V>(spec: LiveFeedSpec<V>, subscriber: LiveSubscriber) {
      const giveBack = options.quota.take(subscriber.tokenId ?? 'anonymous');
      const iterator = new Repeater<LiveBatch<V>>(async (push, stop) => {
        const feed = (feeds.get(spec.key) as Feed<V> | undefined) ?? startFeed(spec);
        // What arrived while the previous batch was unread: only a subscriber slower than its feed has one.
        let behind: Coalescer<V> | null = null;
        let unread = false;
        let sentAt = 0;
        let catchingUp: NodeJS.Timeout | null = null;
        const send = (batch: LiveBatch<V>) => {
          unread = true;
          sentAt = performance.now();
          // push() settles when the subscriber has taken the batch; only then may the next go.
          void push(batch).then(() => {
            unread = false;
            catchUp();
          });
        };
        // What a slow subscriber missed goes as one batch, a window after its previous one at the soonest.
        const catchUp = () => {
          if (!behind || behind.isEmpty || catchingUp) return;
          const waitMs = sentAt + windowMs - performance.now();
          if (waitMs <= 0) return send(behind.take());
          catchingUp = setTimeout(() => {
            catchingUp = null;
            catchUp();
          }, waitMs);
        };
        const member: Member<V> = {
          tokenId: subscriber.tokenId,
          offer(batch) {
            if (!unread && !catchingUp && (!behind || behind.isEmpty)) return send(batch);
            behind ??= new Coalescer<V>(maxItems, spec.merge);
            behind.absorb(batch, spec.keyOf);
          },
          end: () => void stop(),
        };
        feed.join(member);
        const onAbort = () => stop();
        subscriber.signal?.addEventListener('abort', onAbort, { once: true });
        if (subscriber.signal?.aborted) stop();

        await stop;
        feed.leave(member);
        if (catchingUp) clearTimeout(catchingUp);
        subscriber.signal?.removeEventListener('abort', onAbort);
      });
      return endingWith(iterator, giveBack);
    },
    get running() {
      return feeds.size;
    },
  };
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
