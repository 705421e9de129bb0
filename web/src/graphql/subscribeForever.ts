/**
 * A subscription that outlives the server it started on. When Hookpost shuts down (a
 * deploy, a restart) it completes its subscriptions before closing the socket; the
 * WebSocket client reconnects by itself, but a completed subscription is over. So this
 * starts it again after a moment, and tells the caller, who refetches what it shows
 * because changes made in between were not pushed.
 */
import { onEnd, pipe, subscribe } from 'wonka';
import type { AnyVariables, Client, TypedDocumentNode } from 'urql';

const RESTART_AFTER_MS = 1_000;

export function subscribeForever<Data, Variables extends AnyVariables>(
  client: Client,
  query: TypedDocumentNode<Data, Variables>,
  variables: Variables,
  onData: (data: Data) => void,
  onRestart?: () => void,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: { unsubscribe(): void } | undefined;
  const start = () => {
    current = pipe(
      client.subscription(query, variables),
      onEnd(() => {
        if (stopped) return;
        timer = setTimeout(() => {
          onRestart?.();
          start();
        }, RESTART_AFTER_MS);
      }),
      subscribe((result) => {
        if (result.data) onData(result.data);
      }),
    );
  };
  start();
  return () => {
    stopped = true;
    clearTimeout(timer);
    current?.unsubscribe();
  };
}
