/**
 * Group commit: items submitted at about the same moment are written by one statement,
 * in one transaction. Every caller still waits for the commit that holds its own item.
 * Commits, not statements, are what a busy PostgreSQL runs out of (each waits for its
 * WAL flush, and ones that enqueue jobs also serialise on the notification queue).
 *
 * No timer adds latency: an item is written at once when no transaction is in flight;
 * while one is, new items wait and go together in the next (at most `maxBatch`). A
 * further transaction, up to `maxConcurrent`, starts only while at least `concurrentAt`
 * items wait: concurrent transactions pay off when one cannot keep up, but below that
 * they only split the waiting items into more, smaller commits, and every commit has a
 * fixed cost. If a shared transaction fails, its items are retried one by one, so one
 * bad item cannot fail its neighbours.
 */

export interface GroupCommit<T, R> {
  /**
   * Resolves with the item's result once the transaction holding it has committed. When
   * `signal` aborts first, it rejects with the signal's reason: an item still waiting is
   * taken out and never written; one already in a transaction may still commit.
   */
  submit(item: T, signal?: AbortSignal): Promise<R>;
  /** Resolves when everything submitted so far is committed (or failed). */
  drain(): Promise<void>;
}

export interface GroupCommitOptions<T = unknown> {
  /** Items per transaction, at most. Default 100. */
  maxBatch?: number;
  /**
   * How much an item weighs (for example its body's bytes), and the most one transaction
   * may carry: a batch closes before it would pass it (a heavy item still goes, alone).
   * Default: no weight.
   */
  weigh?: (item: T) => number;
  maxBatchWeight?: number;
  /** Transactions in flight, at most. Default 2. */
  maxConcurrent?: number;
  /** Waiting items needed to start a transaction beside one in flight. Default 1. */
  concurrentAt?: number;
}

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export function createGroupCommit<T, R>(
  commit: (items: T[]) => Promise<R[]>,
  options: GroupCommitOptions<T> = {},
): GroupCommit<T, R> {
  const maxBatch = options.maxBatch ?? 100;
  const { weigh, maxBatchWeight = Number.POSITIVE_INFINITY } = options;
  /** How many waiting items the next transaction takes. */
  const batchLength = () => {
    if (!weigh) return maxBatch;
    let weight = 0;
    for (let i = 0; i < Math.min(maxBatch, pending.length); i++) {
      weight += weigh(pending[i]!.item);
      if (weight > maxBatchWeight) return Math.max(1, i);
    }
    return maxBatch;
  };
  const maxConcurrent = options.maxConcurrent ?? 2;
  const concurrentAt = options.concurrentAt ?? 1;
  const pending: Pending<T, R>[] = [];
  let inFlight = 0;
  let scheduled = false;
  const idle = new Set<() => void>();

  const run = async (batch: Pending<T, R>[]): Promise<void> => {
    try {
      const results = await commit(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else await Promise.all(batch.map((p) => run([p])));
    }
  };

  const pump = () => {
    scheduled = false;
    while (pending.length > 0 && (inFlight === 0 || (inFlight < maxConcurrent && pending.length >= concurrentAt))) {
      const batch = pending.splice(0, batchLength());
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        if (pending.length > 0) pump();
        else if (inFlight === 0) for (const wake of [...idle]) wake();
      });
    }
  };

  return {
    submit(item, signal) {
      return new Promise<R>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const entry: Pending<T, R> = { item, resolve, reject };
        if (signal) {
          const onAbort = () => {
            const at = pending.indexOf(entry);
            if (at !== -1) pending.splice(at, 1);
            reject(signal.reason);
          };
          signal.addEventListener('abort', onAbort, { once: true });
          const settle =
            <V>(done: (value: V) => void) =>
            (value: V) => {
              signal.removeEventListener('abort', onAbort);
              done(value);
            };
          entry.resolve = settle(resolve);
          entry.reject = settle(reject);
        }
        pending.push(entry);
        // Items that arrive in the same turn of the event loop go together.
        if (!scheduled) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    drain() {
      if (inFlight === 0 && pending.length === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = () => {
          idle.delete(wake);
          resolve();
        };
        idle.add(wake);
      });
    },
  };
}
