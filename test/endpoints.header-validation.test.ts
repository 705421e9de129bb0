/**
 * Custom headers are checked when they are written, not when the first delivery fails:
 * a value Node cannot send (control characters, characters beyond Latin-1), a name that
 * is not a token, or two names that differ only in case is a 422 naming the header, over
 * REST and GraphQL alike, and nothing is stored. What is accepted arrives as written.
 */
import { describe, expect, test } from 'vitest';
import type { Endpoint } from '../clients/typescript/src/types.ts';
import { errorCodes, gql } from './support/graphql.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver();
const endpointsOf = (mailboxId: string) =>
  listAll<Endpoint>(hookpost, `/api/mailboxes/${mailboxId}/endpoints?include_deleted=true`);

const refused: [string, Record<string, string>, string][] = [
  ['a control character', { 'X-Team': 'a\u0001b' }, 'headers.X-Team: may only contain printable characters'],
  ['DEL', { 'X-Team': 'a\u007fb' }, 'headers.X-Team: may only contain printable characters'],
  ['a C1 control character', { 'X-Team': 'a\u0085b' }, 'headers.X-Team: may only contain printable characters'],
  ['a character beyond Latin-1', { 'X-Price': '10 €' }, 'headers.X-Price: may only contain printable characters'],
  ['an emoji', { 'X-Mood': '🚀' }, 'headers.X-Mood: may only contain printable characters'],
  ['a line break', { 'X-Team': 'a\r\nInjected: yes' }, 'headers.X-Team: must not contain line breaks'],
  ['a NUL', { 'X-Team': 'a\u0000b' }, 'headers.X-Team: must not contain line breaks'],
  ['a space in the name', { 'X Team': 'a' }, 'headers.X Team: is not a valid header name'],
  ['a non-ASCII name', { 'X-Équipe': 'a' }, 'headers.X-Équipe: is not a valid header name'],
  ['names differing only in case', { 'X-Team': 'a', 'x-team': 'b' }, 'headers.x-team: is the same header as X-Team'],
  ['a header Hookpost sets', { 'Webhook-Signature': 'v1,forged' }, 'headers.Webhook-Signature: is set by Hookpost'],
];

describe('REST', () => {
  test.each(refused)('%s is a 422 naming the header; nothing is stored', async (_what, headers, message) => {
    const mailbox = await createMailbox(hookpost, { name: 'Headers' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/h`, headers },
    });
    expect(created.status).toBe(422);
    expect((await created.json()).error).toEqual({
      code: 'validation_failed',
      message: expect.stringContaining(message),
    });
    expect(await endpointsOf(mailbox.id)).toEqual([]);
  });

  test.each(refused)('%s is refused when changing an endpoint too', async (_what, headers, message) => {
    const mailbox = await createMailbox(hookpost, { name: 'Headers', target_url: `${receiver.url}/h` });
    const patched = await hookpost.api(`/api/endpoints/${mailbox.endpoint_id}`, { method: 'PATCH', json: { headers } });
    expect(patched.status).toBe(422);
    expect((await patched.json()).error.message).toContain(message);
    const endpoint = await hookpost.api(`/api/endpoints/${mailbox.endpoint_id}`);
    expect(((await endpoint.json()) as Endpoint).headers).toEqual({});
  });

  test('Latin-1 values, tabs and every visible ASCII character are accepted and arrive as written', async () => {
    const headers = { 'X-Name': 'Zoë Müller\tñ', 'X-Ascii': ' !"#$%&\'()*+,-./0-9:;<=>?@A-Z[\\]^_`a-z{|}~' };
    const mailbox = await createMailbox(hookpost, { name: 'Latin-1' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/latin1`, headers },
    });
    expect(created.status).toBe(201);
    const before = receiver.requests.length;
    expect((await sendEvent(hookpost, mailbox, { event: 'a' })).status).toBe(202);
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before);
    // Node reads header bytes as Latin-1, as they were sent.
    expect(request!.headers['x-name']).toBe('Zoë Müller\tñ');
    expect(request!.headers['x-ascii']).toBe(headers['X-Ascii'].trim());
  });
});

describe('GraphQL', () => {
  const CREATE = `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { endpoint { id } } }`;

  test.each(refused)('%s is validation_failed naming the header', async (_what, headers, message) => {
    const mailbox = await createMailbox(hookpost, { name: 'Headers over GraphQL' });
    const list = Object.entries(headers).map(([name, value]) => ({ name, value }));
    const result = await gql(hookpost, CREATE, {
      input: { mailboxId: mailbox.id, url: `${receiver.url}/g`, headers: list },
    });
    expect(errorCodes(result)).toEqual(['validation_failed']);
    expect(result.errors![0]!.message).toContain(message.replace('headers.', 'input.headers.'));
    expect(await endpointsOf(mailbox.id)).toEqual([]);
  });
});
