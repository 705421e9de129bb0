/**
 * Marks the deliveries of a job `delivering` and returns everything needed to attempt
 * them, in one round trip. A delivery whose attempt count moved on since the job was
 * added, or that already ended, is not returned (see deliverJob.ts).
 */
import type { Queryable } from '../../db/queryable.ts';

export interface ClaimedDelivery {
  id: string;
  attemptCount: number;
  eventId: string;
  mailboxId: string;
  eventType: string | null;
  contentType: string;
  body: Buffer;
  endpointId: string;
  url: string;
  sealedHeaders: Buffer | null;
  timeoutMs: number;
  retryPolicy: unknown;
  endpointActive: boolean;
  sealedSecrets: Buffer[];
}

export async function claimDeliveries(
  db: Queryable,
  deliveries: { id: string; attempt: number }[],
): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedDelivery>({
    name: 'claim_deliveries',
    text: `
      update delivery d
         set status = 'delivering', updated_at = now()
        from unnest($1::uuid[], $2::int[]) as job(id, attempt), event e, endpoint p
       where d.id = job.id
         and d.attempt_count = job.attempt - 1
         and d.status in ('queued', 'delivering')
         and e.id = d.event_id
         and p.id = d.endpoint_id
   returning d.id, d.attempt_count as "attemptCount", d.event_id as "eventId", e.mailbox_id as "mailboxId",
             e.event_type as "eventType", e.content_type as "contentType", e.body,
             p.id as "endpointId", p.url, p.sealed_headers as "sealedHeaders", p.timeout_ms as "timeoutMs",
             p.retry_policy as "retryPolicy", (p.enabled and p.deleted_at is null) as "endpointActive",
             array(select s.ciphertext from endpoint_secret s
                    where s.endpoint_id = p.id and (s.expires_at is null or s.expires_at > now())
                    order by s.created_at desc) as "sealedSecrets"`,
    values: [deliveries.map((d) => d.id), deliveries.map((d) => d.attempt)],
  });
  return rows;
}
