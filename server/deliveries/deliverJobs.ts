/**
 * `deliver` jobs: the one place that builds them. A job names deliveries of one endpoint
 * to attempt once each (up to DELIVERIES_PER_JOB, so a burst to one endpoint costs the
 * queue a fraction of a job per event) and what kind of attempt it is.
 *
 * A job does not carry attempt numbers: what makes running a job twice harmless is the
 * delivery's own state (claim.ts only takes a delivery that is queued and due, or one
 * whose worker died), so a stale job, a duplicate job or a job rerun after a crash finds
 * nothing to do.
 *
 *
 * The payload is checked when the job runs (deliverTask.ts): that is where a payload from
 * elsewhere (an old release, a hand-made job) could come in. Hookpost builds its own from
 * typed ids, so adding one does not parse it again.
 */
import { z } from 'zod';

export const DELIVER_TASK = 'deliver';

/** graphile-worker's own retries, for infrastructure failures only (database down…). */
export const DELIVER_JOB_MAX_ATTEMPTS = 10;

/** Deliveries per job, at most. */
export const DELIVERIES_PER_JOB = 50;

export const attemptTriggers = ['scheduled', 'manual', 'test', 'replay'] as const;
/** What caused an attempt: the retry policy's series, an operator, a test event, or a bulk replay. */
export type AttemptTrigger = (typeof attemptTriggers)[number];

export const deliverPayloadSchema = z.object({
  trigger: z.enum(attemptTriggers),
  /** Absent in jobs made before endpoints were named in them. */
  endpointId: z.uuid().optional(),
  // `attempt` is ignored: jobs of earlier releases fenced on it.
  deliveries: z
    .array(z.object({ id: z.uuid(), attempt: z.int().optional() }))
    .min(1)
    .max(1000),
});

export type DeliverPayload = z.infer<typeof deliverPayloadSchema>;

/**
 * Job priorities, from the attempt's trigger: graphile-worker runs lower numbers first, so
 * a bulk replay's jobs wait behind every live job that is due and cannot starve live traffic.
 */
export const LIVE_PRIORITY = 0;
export const REPLAY_PRIORITY = 10;

/** The payloads of the jobs that attempt these deliveries: per endpoint, in chunks. */
export function deliverJobPayloads(
  trigger: AttemptTrigger,
  deliveries: readonly { id: string; endpointId: string }[],
): string[] {
  const byEndpoint = new Map<string, string[]>();
  for (const delivery of deliveries) {
    const ids = byEndpoint.get(delivery.endpointId);
    if (ids) ids.push(delivery.id);
    else byEndpoint.set(delivery.endpointId, [delivery.id]);
  }
  const payloads: string[] = [];
  for (const [endpointId, ids] of byEndpoint) {
    for (let i = 0; i < ids.length; i += DELIVERIES_PER_JOB) {
      const chunk = ids.slice(i, i + DELIVERIES_PER_JOB).map((id) => ({ id }));
      payloads.push(JSON.stringify({ trigger, endpointId, deliveries: chunk } satisfies DeliverPayload));
    }
  }
  return payloads;
}

/**
 * SQL: the payload (text) of a job for one delivery, whose trigger, endpoint and delivery
 * ids are the SQL expressions given: deliverJobPayloads' shape, for a statement that finds
 * the deliveries it gives jobs to as it runs (the next of an ordering key's line).
 */
export function oneDeliveryJobPayloadSql(trigger: string, endpointId: string, deliveryId: string): string {
  return `json_build_object('trigger', ${trigger}, 'endpointId', ${endpointId},
                           'deliveries', json_build_array(json_build_object('id', ${deliveryId})))::text`;
}

/**
 * SQL: deliverJobPayloads' payloads, for a statement that finds the deliveries as it runs:
 * `rows` is a query with columns `id`, `endpoint_id` and `trigger`; the result has the
 * columns addDeliverJobsSql takes (due now), per trigger and endpoint, in chunks.
 */
export function deliverJobPayloadsSql(rows: string): string {
  return `select json_build_object('trigger', c.trigger, 'endpointId', c.endpoint_id,
                           'deliveries', json_agg(json_build_object('id', c.id) order by c.id))::text as payload,
         null::timestamptz as run_at
    from (select r.id, r.endpoint_id, r.trigger,
                 (row_number() over (partition by r.trigger, r.endpoint_id order by r.id) - 1) / ${DELIVERIES_PER_JOB} as chunk
            from (${rows}) r) c
   group by c.trigger, c.endpoint_id, c.chunk`;
}

/**
 * SQL that adds one `deliver` job per row of `rows` (replays' behind live ones), a query with a text column `payload`
 * (from deliverJobPayloads) and a timestamptz column `run_at` (null: now); evaluates to
 * the set of added jobs. Used inside the statements that create or re-queue deliveries,
 * so a delivery and its job are committed together.
 */
export function addDeliverJobsSql(rows: string): string {
  return `graphile_worker.add_jobs(array(
      select row('${DELIVER_TASK}', x.payload::json, null::text, x.run_at, ${DELIVER_JOB_MAX_ATTEMPTS}::smallint,
                 null::text, (case when x.payload::json ->> 'trigger' = 'replay' then ${REPLAY_PRIORITY} else ${LIVE_PRIORITY} end)::smallint, null::text[])::graphile_worker.job_spec
        from (${rows}) as x))`;
}

/**
 * Rows for addDeliverJobsSql (due now): the payloads in `payloads` (a text[] expression),
 * each keeping only the deliveries whose id `stored` (a query of ids) returns; those
 * left with none are dropped. For a statement that learns which deliveries it stored
 * only as it runs (ingest with idempotency keys). When `allStored` (an SQL condition,
 * evaluated once) holds, as it does unless a key was repeated, the payloads go as they
 * are: taking each apart and rebuilding it costs more than the rest of the job's insert.
 */
export function storedDeliveriesJobRowsSql(payloads: string, stored: string, allStored: string): string {
  return `select p as payload, null::timestamptz as run_at from unnest(${payloads}) as p where ${allStored}
    union all
    select f.payload, null::timestamptz as run_at from (
      select jsonb_set(p::jsonb, '{deliveries}', coalesce(
               (select jsonb_agg(d) from jsonb_array_elements(p::jsonb -> 'deliveries') as d
                 where (d ->> 'id')::uuid in (${stored})), '[]'::jsonb))::text as payload
        from unnest(${payloads}) as p
       where not (${allStored})) f
     where f.payload::jsonb -> 'deliveries' <> '[]'::jsonb`;
}

/**
 * Adds `deliver` jobs for these payloads, due at `runAt` (one moment for all, or one per
 * payload): a job put back because its endpoint runs its share, or deliveries put off by
 * their endpoint's limits. Returns the jobs' ids, in the payloads' order.
 */
export async function addDeliverJobs(
  db: { query(text: string, values: unknown[]): Promise<{ rows: unknown[] }> },
  payloads: string[],
  runAt: Date | Date[],
): Promise<string[]> {
  const moments = Array.isArray(runAt) ? runAt : payloads.map(() => runAt);
  const { rows } = await db.query(
    `select j.id::text from ${addDeliverJobsSql(
      'select p as payload, r as run_at from unnest($1::text[], $2::timestamptz[]) with ordinality as x(p, r, n) order by n',
    )} as j order by j.id`,
    [payloads, moments],
  );
  return (rows as { id: string }[]).map((row) => row.id);
}

/**
 * The same deliveries in as few jobs as fit: payloads of one trigger and endpoint are
 * merged, DELIVERIES_PER_JOB to a job. A payload that does not name its endpoint (an
 * earlier release's) is kept as it is.
 */
export function mergeDeliverPayloads(payloads: string[]): string[] {
  const kept: string[] = [];
  const byTrigger = new Map<AttemptTrigger, { id: string; endpointId: string }[]>();
  for (const payload of payloads) {
    const parsed = deliverPayloadSchema.safeParse(JSON.parse(payload));
    if (!parsed.success || !parsed.data.endpointId) {
      kept.push(payload);
      continue;
    }
    const { trigger, endpointId, deliveries } = parsed.data;
    const list = byTrigger.get(trigger) ?? [];
    for (const { id } of deliveries) list.push({ id, endpointId });
    byTrigger.set(trigger, list);
  }
  for (const [trigger, deliveries] of byTrigger) kept.push(...deliverJobPayloads(trigger, deliveries));
  return kept;
}

/**
 * Makes these `deliver` jobs due now, those no worker has taken yet (a job put back for
 * later, whose turn came sooner). graphile-worker's own function: it leaves locked jobs alone.
 */
export async function dueNow(db: { query(text: string, values: unknown[]): Promise<unknown> }, jobIds: string[]) {
  // Told like new jobs (the channel graphile-worker listens on), so an idle worker fetches them now, not at its next poll.
  await db.query(
    `with due as (select id from graphile_worker.reschedule_jobs($1::bigint[], run_at => now()))
     select pg_notify('jobs:insert', json_build_object('count', count(*))::text) from due having count(*) > 0`,
    [jobIds],
  );
}
