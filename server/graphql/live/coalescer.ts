/**
 * Changes not sent yet, bounded: a live feed's (liveFeeds.ts), or one subscriber's that
 * fell behind its feed. Changes are keyed: a change to a key already waiting is merged
 * into it (a delivery that went queued → delivering → delivered within one window is
 * sent once, as delivered). Past `maxItems` keys, the one changed longest ago is dropped
 * and counted in `skipped`, so a burst costs a subscriber at most `maxItems` items per
 * payload and the newest changes win.
 */
export interface LiveBatch<V> {
  /** Oldest change first. */
  items: V[];
  /** Changes dropped because more arrived than a payload carries. */
  skipped: number;
  /** Changes may have been missed (the LISTEN connection was re-established): refetch. */
  resync: boolean;
}

export class Coalescer<V> {
  private items = new Map<string, V>();
  private skipped = 0;
  private resync = false;

  constructor(
    private readonly maxItems: number,
    private readonly merge: (waiting: V, next: V) => V = (_waiting, next) => next,
  ) {}

  add(key: string, value: V): void {
    const waiting = this.items.get(key);
    if (waiting !== undefined) {
      // Re-inserting moves the key to the newest end.
      this.items.delete(key);
      this.items.set(key, this.merge(waiting, value));
      return;
    }
    this.items.set(key, value);
    if (this.items.size > this.maxItems) {
      const oldest = this.items.keys().next().value as string;
      this.items.delete(oldest);
      this.skipped += 1;
    }
  }

  /** Merges a batch taken from another buffer into this one (a subscriber that fell behind its feed). */
  absorb(batch: LiveBatch<V>, keyOf: (value: V) => string): void {
    for (const item of batch.items) this.add(keyOf(item), item);
    this.skipped += batch.skipped;
    if (batch.resync) this.resync = true;
  }

  markResync(): void {
    this.resync = true;
  }

  get isEmpty(): boolean {
    return this.items.size === 0 && this.skipped === 0 && !this.resync;
  }

  /** Everything waiting, emptied. */
  take(): LiveBatch<V> {
    const batch = { items: [...this.items.values()], skipped: this.skipped, resync: this.resync };
    this.items = new Map();
    this.skipped = 0;
    this.resync = false;
    return batch;
  }
}
