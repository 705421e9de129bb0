/**
 * The `deliver` job: which deliveries to attempt and which attempt each one is at.
 * The expected attempt number fences against doubles: a job that runs again after its
 * deliveries moved on (a crash between recording an attempt and completing the job)
 * finds the numbers stale and does nothing. The payload is checked when the job runs
 * (deliverTask.ts): that is where a payload from elsewhere (an old release, a hand-made
 * job) could come in. Hookpost builds its own from typed ids, so adding one does not
 * parse it again (that was a sixth of an ingest batch's JavaScript).
 */
import { z } from 'zod';

export const DELIVER_TASK = 'deliver';

/** graphile-worker's own retries, for infrastructure failures only (database down…). */
export const DELIVER_JOB_MAX_ATTEMPTS = 10;

export const attemptTriggers = ['scheduled', 'manual', 'test'] as const;
export type AttemptTrigger = (typeof attemptTriggers)[number];

export const deliverPayloadSchema = z.object({
  trigger: z.enum(attemptTriggers),
  deliveries: z
    .array(z.object({ id: z.uuid(), attempt: z.int().min(1) }))
    .min(1)
    .max(1000),
});

export type DeliverPayload = z.infer<typeof deliverPayloadSchema>;

/** The JSON to pass to `graphile_worker.add_job('deliver', …)`. */
export function deliverPayload(payload: DeliverPayload): string {
  return JSON.stringify(payload);
}
