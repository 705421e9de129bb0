/**
 * A bound on the event bodies an api process holds at once (being received, or waiting
 * for their commit): every body is in memory until its 202, so without a bound a burst
 * of large bodies, or a slow database, grows the process without limit. A request that
 * would pass the bound is refused with 503 and Retry-After before its body is read.
 */
export interface BytesInFlight {
  /** Takes `bytes` of the budget; false (and nothing taken) when they do not fit. */
  tryTake(bytes: number): boolean;
  give(bytes: number): void;
  readonly taken: number;
}

export function createBytesInFlight(limit: number): BytesInFlight {
  let taken = 0;
  return {
    tryTake(bytes) {
      // A lone request always fits, so a body up to the size limit can always get through.
      if (taken > 0 && taken + bytes > limit) return false;
      taken += bytes;
      return true;
    },
    give(bytes) {
      taken = Math.max(0, taken - bytes);
    },
    get taken() {
      return taken;
    },
  };
}
