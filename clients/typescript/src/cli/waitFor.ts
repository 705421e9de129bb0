/** Helpers for the long-running commands (`events --follow`, `listen`). */
import type { LiveSubscription } from '../live.ts';
import { CliError } from './context.ts';

/** Resolves once every one of `count` calls of the returned function has happened. */
export function allCalled(count: number, then: () => void | Promise<void>): { call: () => void; done: Promise<void> } {
  let left = count;
  let finish!: (value: void | Promise<void>) => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    call: () => {
      if (--left === 0) finish(Promise.resolve().then(then));
    },
    done,
  };
}

/**
 * Runs until Ctrl-C (the signal), and closes the subscriptions then. A subscription that
 * fails or that the server ends stops the command with an error: a live view that is no
 * longer live must say so.
 */
export async function untilStopped(signal: AbortSignal, subscriptions: LiveSubscription[]): Promise<void> {
  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal.aborted) resolve('stopped');
    signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  try {
    const outcome = await Promise.race([stopped, ...subscriptions.map((s) => s.done.then(() => 'ended' as const))]);
    if (outcome === 'ended') throw new CliError('The live connection to Hookpost ended.');
  } finally {
    for (const subscription of subscriptions) subscription.close();
  }
}
