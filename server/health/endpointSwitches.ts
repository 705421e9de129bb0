/**
 * Switching an endpoint on and off: enabling and disabling (a disabled endpoint gets no
 * new deliveries), pausing and resuming (a paused one keeps getting deliveries, held until
 * it is resumed). Both change what its health allows, so they live beside it.
 */
import type { Endpoint } from '../db/generated/prisma/client.ts';
import type { AlertSender } from '../alerts/systemMailbox.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { cancelWaitingDeliveries } from '../deliveries/cancel.ts';
import { findLiveEndpoint, type EndpointDeps } from '../endpoints/endpointService.ts';
import { auditEntryData, recordAudit } from '../audit/auditLog.ts';
import { withTransaction } from '../db/pool.ts';
import { startMissedReplay } from '../replays/replayService.ts';
import { resetHealth } from './healthRow.ts';
import { scheduleRelease } from './releaseTask.ts';

type Deps = EndpointDeps & { alerts: AlertSender };

/**
 * A disabled endpoint gets no new deliveries and its waiting ones are cancelled (an
 * operator can retry them after enabling it again); attempts in flight finish. Enabling
 * starts its health afresh (closed circuit, no failure history), raises
 * `endpoint.enabled`, and with `replayMissed` starts a replay of the events it missed
 * while disabled (those its filter accepts, accepted since it was disabled).
 */
export async function setEndpointEnabled(
  rt: Deps,
  actor: Actor | null,
  id: string,
  enabled: boolean,
  options: { replayMissed?: boolean } = {},
): Promise<Endpoint> {
  authorize(actor, 'operator');
  const current = await findLiveEndpoint(rt, id);
  if (!enabled) {
    // Disabled already: its recorded reason (a 410, failing too long…) stays.
    if (!current.enabled) return current;
    const [endpoint] = await rt.prisma.$transaction([
      rt.prisma.endpoint.update({
        where: { id },
        data: {
          enabled,
          disabledAt: current.enabled ? new Date() : undefined,
          disabledReason: `Disabled by ${actor!.name}.`,
        },
      }),
      rt.prisma.auditEntry.create({
        data: auditEntryData(actor, { action: 'endpoint.disable', target: { type: 'endpoint', id }, summary: {} }),
      }),
    ]);
    rt.routes.changed(endpoint.mailboxId);
    await cancelWaitingDeliveries({ db: rt.pool, changes: rt.changes }, [id]);
    rt.changes.publish({ kind: 'endpoint', endpointId: id, mailboxId: endpoint.mailboxId });
    return endpoint;
  }
  // Only the call that actually turns it on starts afresh, alerts and replays what was missed.
  const turnedOn = await withTransaction(rt.pool, async (client) => {
    const { rows } = await client.query<{ disabled_at: Date | null; now: Date }>(
      `update endpoint set enabled = true, disabled_reason = null, updated_at = now()
        where id = $1 and not enabled and deleted_at is null returning disabled_at, now()`,
      [id],
    );
    const row = rows[0];
    await recordAudit(client, actor, {
      action: 'endpoint.enable',
      target: { type: 'endpoint', id },
      summary: { replayMissed: !!options.replayMissed, wasEnabled: !row },
    });
    if (!row) return null;
    await resetHealth(client, id);
    const replayId =
      options.replayMissed && row.disabled_at
        ? await startMissedReplay(client, actor!, {
            endpointId: id,
            mailboxId: current.mailboxId,
            eventTypes: current.eventTypes,
            since: row.disabled_at,
            until: row.now,
          })
        : null;
    return { replayId };
  });
  const endpoint = await rt.prisma.endpoint.findUniqueOrThrow({ where: { id } });
  rt.routes.changed(endpoint.mailboxId);
  if (turnedOn) {
    await rt.alerts.send('endpoint.enabled', {
      endpoint_id: id,
      mailbox_id: endpoint.mailboxId,
      url: endpoint.url,
      enabled_by: actor!.name,
      missed_replay_id: turnedOn.replayId,
    });
    if (turnedOn.replayId) rt.changes.publish({ kind: 'replay', replayId: turnedOn.replayId });
  }
  rt.changes.publish({ kind: 'endpoint', endpointId: id, mailboxId: endpoint.mailboxId });
  return endpoint;
}

/**
 * Pausing holds the endpoint's deliveries (new ones and those waiting) instead of sending
 * them; nothing is dropped or cancelled. Resuming releases them, oldest first, at a
 * controlled rate (health/releaseTask.ts).
 */
export async function setEndpointPaused(rt: Deps, actor: Actor | null, id: string, paused: boolean): Promise<Endpoint> {
  authorize(actor, 'operator');
  const current = await findLiveEndpoint(rt, id);
  if (!!current.pausedAt === paused) return current;
  const [endpoint] = await rt.prisma.$transaction([
    rt.prisma.endpoint.update({ where: { id }, data: { pausedAt: paused ? new Date() : null } }),
    rt.prisma.auditEntry.create({
      data: auditEntryData(actor, {
        action: paused ? 'endpoint.pause' : 'endpoint.resume',
        target: { type: 'endpoint', id },
      }),
    }),
  ]);
  if (!paused) await scheduleRelease(rt.pool, id);
  rt.changes.publish({ kind: 'endpoint', endpointId: id, mailboxId: endpoint.mailboxId });
  return endpoint;
}
