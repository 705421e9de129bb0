/**
 * A query that stays true while the view is open. With `merge`, pushed rows are laid
 * over the fetched data (the newer of two versions wins, so a refetch that read the
 * database before a push cannot undo it); without it, any push means "read again". Either
 * way, a gap (left-out changes, a restarted subscription, a reconnect) reads the query
 * again, and reads are throttled so a burst costs one query per `refetchEveryMs`.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, type AnyVariables, type OperationContext, type TypedDocumentNode } from 'urql';
import type { LiveSource } from './liveSource.ts';
import { makeThrottle } from './throttle.ts';
import { useLiveUpdates } from './useLiveUpdates.ts';

export interface LiveQueryOptions<Data, Variables extends AnyVariables, Item> {
  query: TypedDocumentNode<Data, Variables>;
  variables: Variables;
  context?: Partial<OperationContext>;
  live: LiveSource<Item>[];
  merge?(data: Data, pushed: Item[]): Data;
  newer?(a: Item, b: Item): Item;
  /** Reads the query again at most this often. Default 3 s. */
  refetchEveryMs?: number;
}

export interface LiveQuery<Data> {
  data: Data | undefined;
  error: Error | undefined;
  fetching: boolean;
  /** Reads the query again now. */
  refetch(): void;
}

export function useLiveQuery<Data, Variables extends AnyVariables, Item extends { id: string } = never>(
  options: LiveQueryOptions<Data, Variables, Item>,
): LiveQuery<Data> {
  const variablesKey = JSON.stringify(options.variables);
  const variables = useMemo(() => options.variables, [variablesKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const [result, reexecute] = useQuery({ query: options.query, variables, context: options.context });
  const reexecuteRef = useRef(reexecute);
  reexecuteRef.current = reexecute;

  const everyMs = options.refetchEveryMs ?? 3_000;
  const throttle = useMemo(
    () => makeThrottle(() => reexecuteRef.current({ requestPolicy: 'network-only' }), everyMs),
    [everyMs],
  );
  useEffect(() => () => throttle.cancel(), [throttle]);

  const [pushed, setPushed] = useState<{ key: string; rows: Map<string, Item> }>({
    key: variablesKey,
    rows: new Map(),
  });
  const newer = options.newer ?? ((_a: Item, b: Item) => b);
  const newerRef = useRef(newer);
  newerRef.current = newer;
  const merges = Boolean(options.merge);

  useLiveUpdates<Item>(options.live, {
    newer,
    onGap: throttle.call,
    onBatch: (batch) => {
      if (!merges) return throttle.call();
      setPushed((current) => {
        const rows = new Map(current.key === variablesKey ? current.rows : []);
        for (const row of [...batch.received, ...batch.updated]) {
          const known = rows.get(row.id);
          rows.set(row.id, known ? newerRef.current(known, row) : row);
        }
        return { key: variablesKey, rows };
      });
    },
  });

  const merge = options.merge;
  const data = useMemo(() => {
    if (!result.data || !merge || pushed.key !== variablesKey || pushed.rows.size === 0) return result.data;
    return merge(result.data, [...pushed.rows.values()]);
  }, [result.data, merge, pushed, variablesKey]);

  return {
    data,
    error: result.error,
    fetching: result.fetching,
    refetch: () => reexecute({ requestPolicy: 'network-only' }),
  };
}
