/** Throughput measured where the work lands: from the first to the last arrival at the receiver. */
import type { ReceivedDelivery } from '../receiver/receiverProcess.ts';

export interface Arrivals {
  count: number;
  firstAt: number;
  lastAt: number;
  /** Deliveries per second between the first and the last arrival. */
  rate: number;
  spanS: number;
}

export function arrivals(received: ReceivedDelivery[]): Arrivals {
  if (received.length === 0) return { count: 0, firstAt: NaN, lastAt: NaN, rate: NaN, spanS: NaN };
  let first = Infinity;
  let last = -Infinity;
  for (const r of received) {
    if (r.at < first) first = r.at;
    if (r.at > last) last = r.at;
  }
  const spanS = (last - first) / 1000;
  return {
    count: received.length,
    firstAt: first,
    lastAt: last,
    spanS,
    rate: spanS > 0 ? (received.length - 1) / spanS : NaN,
  };
}
