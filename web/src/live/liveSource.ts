/**
 * One subscription a view listens to, and how to read its payloads: the rows it brings
 * (new ones and changed ones) and whether it says changes were left out (`skipped`,
 * `resync`), in which case what the view shows must be read again. A source given no way
 * to read rows is a pulse: each of its payloads only says that something changed, so what
 * the view shows is read again too. Typed per subscription, so a view can listen to
 * several different ones as one list.
 */
import type { AnyVariables, Client, TypedDocumentNode } from 'urql';
import { subscribeForever } from '../graphql/subscribeForever.ts';

export interface LiveSink<Item> {
  received(items: Item[]): void;
  updated(items: Item[]): void;
  /** Changes may have been missed: read what is shown again. */
  gap(): void;
}

export interface LiveSource<Item> {
  /** Equal keys mean the same subscription: a view re-subscribes only when a key changes. */
  key: string;
  start(client: Client, sink: LiveSink<Item>): () => void;
}

/** Whether any field of the payload says changes were left out of it. */
export function payloadHasGap(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  return Object.values(data).some((field) => {
    if (typeof field !== 'object' || field === null) return false;
    const { skipped, resync } = field as { skipped?: unknown; resync?: unknown };
    return (typeof skipped === 'number' && skipped > 0) || resync === true;
  });
}

export function liveSource<Data, Variables extends AnyVariables, Item = never>(
  subscription: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  read: { received?(data: Data): Item[]; updated?(data: Data): Item[] } = {},
): LiveSource<Item> {
  const name = subscription.definitions.find((d) => d.kind === 'OperationDefinition')?.name?.value ?? '?';
  const pulse = !read.received && !read.updated;
  return {
    key: `${name}:${JSON.stringify(variables)}`,
    start: (client, sink) =>
      subscribeForever(
        client,
        subscription,
        variables,
        (data) => {
          const received = read.received?.(data) ?? [];
          const updated = read.updated?.(data) ?? [];
          if (received.length) sink.received(received);
          if (updated.length) sink.updated(updated);
          if (pulse || payloadHasGap(data)) sink.gap();
        },
        // A restarted subscription missed what happened in between.
        () => sink.gap(),
      ),
  };
}
