/**
 * A producer sending events to one mailbox at a steady rate, as production traffic
 * arrives: the load generator paced open-loop, with the mailbox's API key and a JSON body
 * of the bench's payload size.
 */
import type { BenchMailbox } from './hookpostApi.ts';
import { eventBody, ingestHeaders } from './hookpostApi.ts';
import { runLoad, type LoadResult } from './loadGenerator.ts';

export interface SteadyEvents {
  /** Events per second. */
  rate: number;
  durationS: number;
  payloadBytes: number;
  /** Enough that the rate, not the answers' latency, paces the sending. */
  connections: number;
  /** Keep the tracking numbers, for checkEventsStored. */
  collectTrackingNumbers?: boolean;
}

export function sendSteadily(mailbox: BenchMailbox, load: SteadyEvents): Promise<LoadResult> {
  return runLoad({
    url: mailbox.ingestUrl,
    method: 'POST',
    headers: ingestHeaders(mailbox),
    body: eventBody(load.payloadBytes),
    connections: load.connections,
    overallRate: load.rate,
    durationS: load.durationS,
    collectTrackingNumbers: load.collectTrackingNumbers ?? false,
  });
}
