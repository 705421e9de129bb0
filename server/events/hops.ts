/**
 * Delivery loops are bounded: every delivery Hookpost sends carries `x-hookpost-hops`,
 * one more than the event it delivers came with, and ingest refuses a request that has
 * already passed through Hookpost `MAX_HOPS` times. An endpoint pointed (directly, or
 * through other Hookposts and relays that pass the header on) at a Hookpost ingest URL
 * then turns one event into at most `MAX_HOPS` events, not an endless stream, while
 * chaining Hookposts on purpose still works for a few hops.
 */
import { AppError } from '../errors.ts';

export const HOPS_HEADER = 'x-hookpost-hops';

/** How many times an event may have passed through Hookpost before ingest refuses it. */
export const MAX_HOPS = 3;

/** The hop count a request came with: 0 without the header; a value that is not a small whole number is refused. */
export function hopsOf(header: string | string[] | undefined): number {
  if (header === undefined) return 0;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d{1,4}$/.test(value.trim()))
    throw new AppError(
      'bad_request',
      `The ${HOPS_HEADER} header must be a whole number (the times the event passed through Hookpost).`,
    );
  return Number(value.trim());
}

/** Refuses an event that has passed through Hookpost `MAX_HOPS` times already. */
export function assertNoLoop(hops: number): void {
  if (hops >= MAX_HOPS)
    throw new AppError(
      'delivery_loop',
      `This request has already passed through Hookpost ${hops} times (${HOPS_HEADER}); ` +
        `at most ${MAX_HOPS} are accepted, so a delivery loop stops here. Does an endpoint point back at a Hookpost ingest URL?`,
    );
}
