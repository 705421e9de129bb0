/**
 * Reads a query again when something is pushed, at most once per `everyMs`: under a
 * burst the overview's numbers move every few seconds instead of re-querying statistics
 * for each payload. A reconnect (resync) also triggers it.
 */
import { useEffect, useRef } from 'react';
import { useClient, type TypedDocumentNode } from 'urql';
import { useConnection } from '../graphql/LiveProvider.tsx';
import { subscribeForever } from '../graphql/subscribeForever.ts';

export function useRefetchOnPush(
  feeds: TypedDocumentNode<unknown, Record<string, never>>[],
  refetch: () => void,
  everyMs = 4_000,
) {
  const client = useClient();
  const latest = useRef(refetch);
  latest.current = refetch;
  const { resyncs } = useConnection();
  useEffect(() => {
    if (resyncs > 0) latest.current();
  }, [resyncs]);

  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poke = () => {
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = undefined;
          last = Date.now();
          latest.current();
        },
        Math.max(250, last + everyMs - Date.now()),
      );
    };
    const stops = feeds.map((feed) => subscribeForever(client, feed, {}, poke, poke));
    return () => {
      clearTimeout(timer);
      for (const stop of stops) stop();
    };
  }, [client]); // eslint-disable-line react-hooks/exhaustive-deps
}
