/**
 * Runs `run` at most once per `everyMs`, whatever the rate of calls: the first call runs
 * it at once, later ones are gathered into one run when the time has come. A call while a
 * run is under way queues one more run after it, so the last change is always read.
 */
export interface Throttle {
  call(): void;
  cancel(): void;
}

export function makeThrottle(run: () => unknown, everyMs: number, now: () => number = Date.now): Throttle {
  let last = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  let cancelled = false;
  const fire = () => {
    timer = undefined;
    last = now();
    running = true;
    void Promise.resolve()
      .then(run)
      .catch(() => {})
      .finally(() => {
        running = false;
        if (again && !cancelled) {
          again = false;
          call();
        }
      });
  };
  const call = () => {
    cancelled = false;
    if (running) {
      again = true;
      return;
    }
    timer ??= setTimeout(fire, Math.max(0, last + everyMs - now()));
  };
  return {
    call,
    cancel() {
      cancelled = true;
      again = false;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
