/**
 * What test/support has started in this test file's process and not stopped yet: Hookpost
 * instances, Hookpost processes (workers, dashboards) and receivers. The leak guard
 * (leakGuard.ts, a setup file) asks after each file; a file that left one running fails,
 * naming it, and the guard stops it so the next file starts clean.
 */

interface Started {
  /** What it is, for the failure message: "receiver http://127.0.0.1:41234". */
  what: string;
  /** Stops it (the guard's clean-up of a leak). */
  stop(): Promise<unknown>;
  /** Resolves once it has stopped by itself: a process asked to exit that is still exiting. */
  stopping?(): Promise<unknown> | undefined;
}

const started = new Set<Started>();

/** Records something started; the returned function records that it stopped. */
export function track(thing: Started): () => void {
  started.add(thing);
  return () => started.delete(thing);
}

/** What is still running, by name. */
export function stillRunning(): string[] {
  return [...started].map((thing) => thing.what);
}

/**
 * Stops whatever is still running and returns what that was. Something already on its way
 * out (a process sent SIGTERM or SIGKILL) gets `graceMs` to finish first and is not a leak
 * if it does.
 */
export async function stopLeftovers(graceMs = 10_000): Promise<string[]> {
  await Promise.all(
    [...started].map(async (thing) => {
      const exiting = thing.stopping?.();
      if (!exiting) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exiting, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }),
  );
  const leaked = [...started];
  started.clear();
  await Promise.allSettled(leaked.map((thing) => thing.stop()));
  return leaked.map((thing) => thing.what);
}
