/**
 * Resending one event to one endpoint an operator chooses: a new delivery with one manual
 * attempt reaches that endpoint only (even one whose filter would not take the event),
 * with its own webhook-id and a valid signature; audited; the same rules over REST and
 * GraphQL; refused without writing anything for a disabled endpoint, one of another
 * mailbox, a delivery still on its way, an erased event, or a viewer.
 */
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { gql, gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost();
const first = useReceiver({ status: 200 });
const second = useReceiver({ status: 200 });
let mailbox: Awaited<ReturnType<typeof createMailbox>>;
let secondEndpoint: { id: string; signing_secret: string };

const waitFor = (check: () => Promise<void> | void, timeout = 15_000) => vi.waitFor(check, { timeout, interval: 100 });

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Shop', target_url: `${first.url}/hook` });
  // Added later, for other events: it never got the order.
  const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url: `${second.url}/hook`, event_types: ['invoice.*'] },
  });
  secondEndpoint = await created.json();
}, 120_000);

async function deliveredOrder(): Promise<string> {
  const response = await sendEvent(hookpost, mailbox, { event: 'order.created', data: { order_id: 'ORD-9' } });
  const trackingNumber = (await response.json()).tracking_number as string;
  await waitFor(async () => {
    const { event } = await gqlData(hookpost, `query($id: ID!) { event(trackingNumber: $id) { status } }`, {
      id: trackingNumber,
    });
    expect(event.status).toBe('delivered');
  });
  return trackingNumber;
}

const deliveries = async (trackingNumber: string) =>
  (
    await gqlData(
      hookpost,
      `query($id: ID!) { event(trackingNumber: $id) { deliveryCount deliveries { edges { node { id status endpoint { id } attempts { edges { node { trigger } } } } } } } }`,
      { id: trackingNumber },
    )
  ).event;

describe('resending an event to one endpoint', () => {
  test('the chosen endpoint gets it once, signed, with a manual attempt; the audit log says who', async () => {
    const trackingNumber = await deliveredOrder();
    const before = first.requests.length;
    const response = await hookpost.api(`/api/webhooks/${trackingNumber}/resend`, {
      method: 'POST',
      json: { endpoint_id: secondEndpoint.id },
    });
    expect(response.status).toBe(202);
    const body = await response.json();
    expect(body).toMatchObject({
      tracking_number: trackingNumber,
      new_status: 'queued',
      delivery_ids: [expect.any(String)],
    });
    const [request] = await second.waitForRequests(1);
    const verified = new Webhook(secondEndpoint.signing_secret).verify(request!.body.toString(), {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    });
    expect(verified).toEqual({ event: 'order.created', data: { order_id: 'ORD-9' } });
    expect(request!.headers['webhook-id']).toBe(body.delivery_ids[0]);
    await waitFor(async () => {
      const event = await deliveries(trackingNumber);
      expect(event.deliveryCount).toBe(2);
      const resent = event.deliveries.edges.find(
        (e: { node: { id: string } }) => e.node.id === body.delivery_ids[0],
      )?.node;
      expect(resent).toMatchObject({
        status: 'delivered',
        endpoint: { id: secondEndpoint.id },
        attempts: { edges: [{ node: { trigger: 'manual' } }] },
      });
    });
    // Only the chosen endpoint: the first one is not sent it again.
    expect(first.requests.length).toBe(before);

    const again = await gqlData(
      hookpost,
      `mutation($id: ID!, $endpoint: ID!) { resendEvent(trackingNumber: $id, endpointId: $endpoint) { id status endpoint { id } } }`,
      { id: trackingNumber, endpoint: mailbox.endpoint_id },
    );
    // Read back after the commit: a worker may already have claimed it.
    expect(again.resendEvent).toMatchObject({
      status: expect.stringMatching(/^(queued|delivering|delivered)$/),
      endpoint: { id: mailbox.endpoint_id },
    });
    await first.waitForRequests(before + 1);

    const audit = await (await hookpost.api(`/api/audit-log?action=event.resend`)).json();
    expect(audit.map((entry: { target_id: string }) => entry.target_id)).toEqual([trackingNumber, trackingNumber]);
  });

  test('refusals write nothing: disabled, another mailbox, on its way, unknown, a viewer', async () => {
    const trackingNumber = await deliveredOrder();
    const resend = (endpoint_id: string, id = trackingNumber, token?: string) =>
      hookpost.api(`/api/webhooks/${id}/resend`, { method: 'POST', json: { endpoint_id }, token });
    const other = await createMailbox(hookpost, { name: 'Other', target_url: `${first.url}/other` });
    const wrongMailbox = await resend(other.endpoint_id!);
    expect(wrongMailbox.status).toBe(422);
    expect((await wrongMailbox.json()).error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/endpoint_id/),
    });
    expect((await resend('nope')).status).toBe(422);
    expect((await resend(mailbox.endpoint_id!, '018f3c2a-0000-7000-8000-000000000000')).status).toBe(404);

    // A delivery still on its way: the receiver hangs, so the first resend stays in flight.
    second.reply({ hang: true });
    expect((await resend(secondEndpoint.id)).status).toBe(202);
    const onItsWay = await resend(secondEndpoint.id);
    expect(onItsWay.status).toBe(409);
    expect((await onItsWay.json()).error.code).toBe('conflict');

    await hookpost.api(`/api/endpoints/${mailbox.endpoint_id}/disable`, { method: 'POST' });
    const disabled = await gql(
      hookpost,
      `mutation($id: ID!, $endpoint: ID!) { resendEvent(trackingNumber: $id, endpointId: $endpoint) { id } }`,
      { id: trackingNumber, endpoint: mailbox.endpoint_id },
    );
    expect(disabled.errors?.[0]?.extensions?.code).toBe('conflict');
    await hookpost.api(`/api/endpoints/${mailbox.endpoint_id}/enable`, { method: 'POST', json: {} });

    const { createAccessToken } = await gqlData(
      hookpost,
      `mutation { createAccessToken(name: "viewer", role: viewer) { token } }`,
    );
    const viewer = await resend(mailbox.endpoint_id!, trackingNumber, createAccessToken.token);
    expect(viewer.status).toBe(403);
    // Two deliveries: the original and the one resend that was allowed.
    expect((await deliveries(trackingNumber)).deliveryCount).toBe(2);
    second.reply({ status: 200 });
  });
});
