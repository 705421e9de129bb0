/**
 * Group commit for ingest. Every accepted event must be committed before its 202, and a
 * transaction that adds a graphile-worker job also sends a notification, which
 * PostgreSQL serialises across committing transactions: one transaction per event caps
 * ingest at a few hundred events per second. So events accepted at about the same time
 * share one transaction.
 *
 * No timer adds latency: an event is written at once when a writer is free; while
 * `maxConcurrentBatches` transactions are in flight, new events wait and go together in
 * the next one. Each producer still hears back only after its own event is committed.
 * If a shared transaction fails, its events are retried one by one, so one bad event
 * cannot fail its neighbours.
 */
import type { Queryable } from '../db/queryable.ts';
import { insertEvents, type NewEvent } from './sql/insertEvents.ts';

export interface EventWriter {
  /** Resolves once the event, its deliveries and their jobs are committed. */
  write(event: NewEvent): Promise<void>;
  /** Resolves when everything written so far is committed. */
  drain(): Promise<void>;
}

interface Pending {
  event: NewEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function createEventWriter(db: Queryable, options: { maxBatch?: number; maxConcurrentBatches?: number } = {}): EventWriter {
  const maxBatch = options.maxBatch ?? 100;
  const maxConcurrent = options.maxConcurrentBatches ?? 2;
  const pending: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;
  const idle = new Set<() => void>();

  const commit = async (batch: Pending[]) => {
    try {
      await insertEvents(db, batch.map((p) => p.event));
      for (const p of batch) p.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      await Promise.all(batch.map((p) => commit([p])));
    }
  };

  const pump = () => {
    scheduled = false;
    while (inFlight < maxConcurrent && pending.length > 0) {
      const batch = pending.splice(0, maxBatch);
      inFlight++;
      void commit(batch).finally(() => {
        inFlight--;
        if (pending.length > 0) pump();
        else if (inFlight === 0) for (const wake of idle) wake();
      });
    }
  };

  return {
    write(event) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ event, resolve, reject });
        // Requests that arrive in the same turn of the event loop go together.
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
