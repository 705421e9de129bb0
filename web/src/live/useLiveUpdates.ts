/**
 * The live half of every view, written once: subscribe to its sources, coalesce what they
 * push (one batch per window, the newer version of each row wins), and say when what is
 * shown must be read again (a payload left changes out, a subscription restarted, or the
 * connection came back). `useLiveQuery` lays the batches over a query; the events list
 * feeds them to its own reducer.
 */
import { useEffect, useRef } from 'react';
import { useClient } from 'urql';
import { useConnection } from '../graphql/LiveProvider.tsx';
import { makeLiveBuffer, type LiveBatch } from './liveBuffer.ts';
import type { LiveSource } from './liveSource.ts';

export interface LiveUpdatesOptions<Item> {
  onBatch?(batch: LiveBatch<Item>): void;
  onGap(): void;
  newer?(a: Item, b: Item): Item;
  windowMs?: number;
}

export function useLiveUpdates<Item extends { id: string }>(
  sources: LiveSource<Item>[],
  options: LiveUpdatesOptions<Item>,
): void {
  const client = useClient();
  const latest = useRef(options);
  latest.current = options;
  const latestSources = useRef(sources);
  latestSources.current = sources;
  const key = sources.map((source) => source.key).join('|');

  const { resyncs } = useConnection();
  useEffect(() => {
    if (resyncs > 0) latest.current.onGap();
  }, [resyncs]);

  useEffect(() => {
    const buffer = makeLiveBuffer<Item>((batch) => latest.current.onBatch?.(batch), {
      newer: (a, b) => (latest.current.newer ? latest.current.newer(a, b) : b),
      windowMs: latest.current.windowMs,
    });
    const stops = latestSources.current.map((source) =>
      source.start(client, {
        received: (items) => buffer.received(items),
        updated: (items) => buffer.updated(items),
        gap: () => latest.current.onGap(),
      }),
    );
    return () => {
      for (const stop of stops) stop();
      buffer.stop();
    };
  }, [client, key]);
}
