/**
 * Everything the bench starts (PostgreSQL, Hookpost processes, the receiver, temporary
 * folders) registers how to undo itself here. The actions run last-in first-out once,
 * whether the bench ends normally, fails, or is interrupted with Ctrl-C, so nothing is
 * left running on a shared machine.
 */

interface Action {
  name: string;
  run: () => Promise<unknown> | unknown;
}

const actions: Action[] = [];
let running: Promise<void> | null = null;

/** Registers an undo action; the returned function drops it once the thing was undone early. */
export function onCleanup(name: string, run: Action['run']): () => void {
  const action = { name, run };
  actions.push(action);
  return () => {
    const index = actions.indexOf(action);
    if (index >= 0) actions.splice(index, 1);
  };
}

export function cleanupAll(): Promise<void> {
  running ??= (async () => {
    while (actions.length > 0) {
      const action = actions.pop()!;
      try {
        await action.run();
      } catch (error) {
        console.error(`Cleanup "${action.name}" failed: ${(error as Error).message}`);
      }
    }
  })();
  return running;
}

/** Ctrl-C or a kill: undo everything, then exit with the conventional code. A second signal exits at once. */
export function cleanupOnSignals(): void {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error(`\n${signal}: stopping everything the bench started…`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
