/**
 * REST and GraphQL stand on the same services, so the same bad input gets the same error
 * code from both. Each row sends one invalid input both ways and compares the codes. For
 * reads of one item, GraphQL's idiom for "none with this id" is `null`; REST's is 404
 * `not_found`: the table counts those as the same answer.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Endpoint, Erasure, Mailbox } from '../clients/typescript/src/types.ts';
import { gql, type GraphQLResponse } from './support/graphql.ts';
import { createMailbox, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const { hookpost } = useHookpost({ role: 'api' });
let mailbox: CreatedMailbox;
let deleted: CreatedMailbox;
const unknownId = '0193a1b2-0000-7000-8000-000000000000';

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Parity', target_url: 'http://127.0.0.1:9/hook' });
  deleted = await createMailbox(hookpost, { name: 'Gone' });
  expect((await hookpost.api(`/api/mailboxes/${deleted.id}`, { method: 'DELETE' })).status).toBe(204);
});

interface Case {
  name: string;
  rest: () => Promise<Response>;
  graphql: () => Promise<GraphQLResponse>;
  /** The root field a null answer stands for "not found" in (single-item reads only). */
  nullMeansNotFound?: string;
  code: string;
}

const createEndpoint = (mailboxId: string, input: Record<string, unknown>) =>
  gql(hookpost, `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { endpoint { id } } }`, {
    input: { mailboxId, ...input },
  });
const postEndpoint = (mailboxId: string, json: Record<string, unknown>) =>
  hookpost.api(`/api/mailboxes/${mailboxId}/endpoints`, { method: 'POST', json });
const events = (variables: Record<string, unknown>) =>
  gql(
    hookpost,
    `query($filter: EventFilter, $first: Int, $after: String) { events(filter: $filter, first: $first, after: $after) { edges { node { id } } } }`,
    variables,
  );

const cases: Case[] = [
  {
    name: 'an endpoint URL that is not a URL',
    rest: () => postEndpoint(mailbox.id, { url: 'not a url' }),
    graphql: () => createEndpoint(mailbox.id, { url: 'not a url' }),
    code: 'validation_failed',
  },
  {
    name: 'an ftp:// endpoint URL',
    rest: () => postEndpoint(mailbox.id, { url: 'ftp://example.com/hook' }),
    graphql: () => createEndpoint(mailbox.id, { url: 'ftp://example.com/hook' }),
    code: 'validation_failed',
  },
  {
    name: 'an endpoint URL on a private network',
    rest: () => postEndpoint(mailbox.id, { url: 'http://10.1.2.3/hook' }),
    graphql: () => createEndpoint(mailbox.id, { url: 'http://10.1.2.3/hook' }),
    code: 'target_not_allowed',
  },
  {
    name: 'a timeout out of range',
    rest: () => postEndpoint(mailbox.id, { url: 'https://example.com/hook', timeout_ms: 10 }),
    graphql: () => createEndpoint(mailbox.id, { url: 'https://example.com/hook', timeoutMs: 10 }),
    code: 'validation_failed',
  },
  {
    name: 'an endpoint for an unknown mailbox',
    rest: () => postEndpoint(unknownId, { url: 'https://example.com/hook' }),
    graphql: () => createEndpoint(unknownId, { url: 'https://example.com/hook' }),
    code: 'not_found',
  },
  {
    name: 'an endpoint for a deleted mailbox',
    rest: () => postEndpoint(deleted.id, { url: 'https://example.com/hook' }),
    graphql: () => createEndpoint(deleted.id, { url: 'https://example.com/hook' }),
    code: 'not_found',
  },
  {
    name: 'renaming a deleted mailbox',
    rest: () => hookpost.api(`/api/mailboxes/${deleted.id}`, { method: 'PATCH', json: { name: 'Back' } }),
    graphql: () =>
      gql(hookpost, `mutation($id: ID!) { updateMailbox(id: $id, name: "Back") { id } }`, { id: deleted.id }),
    code: 'not_found',
  },
  {
    name: 'an empty mailbox name',
    rest: () => hookpost.api('/api/mailboxes', { method: 'POST', json: { name: '  ' } }),
    graphql: () => gql(hookpost, `mutation { createMailbox(input: {name: "  "}) { mailbox { id } } }`),
    code: 'validation_failed',
  },
  {
    name: 'changing an unknown endpoint',
    rest: () => hookpost.api(`/api/endpoints/${unknownId}`, { method: 'PATCH', json: { description: 'x' } }),
    graphql: () =>
      gql(hookpost, `mutation($id: ID!) { updateEndpoint(id: $id, input: {description: "x"}) { id } }`, {
        id: unknownId,
      }),
    code: 'not_found',
  },
  {
    name: 'retrying an unknown event',
    rest: () => hookpost.api(`/api/webhooks/${unknownId}/retry`, { method: 'POST' }),
    graphql: () =>
      gql(hookpost, `mutation($n: ID!) { retryEvent(trackingNumber: $n) { event { id } } }`, { n: unknownId }),
    code: 'not_found',
  },
  {
    name: 'reading an unknown event',
    rest: () => hookpost.api(`/api/webhooks/${unknownId}`),
    graphql: () => gql(hookpost, `query($n: ID!) { event(trackingNumber: $n) { id } }`, { n: unknownId }),
    nullMeansNotFound: 'event',
    code: 'not_found',
  },
  {
    name: 'reading an id that is not a UUID',
    rest: () => hookpost.api('/api/endpoints/nope'),
    graphql: () => gql(hookpost, `query { endpoint(id: "nope") { id } }`),
    nullMeansNotFound: 'endpoint',
    code: 'not_found',
  },
  {
    name: 'an event-type filter that is not a pattern',
    rest: () => hookpost.api('/api/webhooks?event_type=order%20created'),
    graphql: () => events({ filter: { eventTypes: ['order created'] } }),
    code: 'validation_failed',
  },
  {
    name: 'a mailbox filter that is not an id',
    rest: () => hookpost.api('/api/webhooks?mailbox_id=shop'),
    graphql: () => events({ filter: { mailboxId: 'shop' } }),
    code: 'validation_failed',
  },
  {
    name: 'a filter with too many statuses',
    rest: () => hookpost.api(`/api/webhooks?status=${Array(21).fill('failed').join(',')}`),
    graphql: () => events({ filter: { status: Array(21).fill('failed') } }),
    code: 'validation_failed',
  },
  {
    name: 'a filter with too many statuses, as the parameter repeated',
    rest: () => hookpost.api(`/api/webhooks?${Array(21).fill('status=failed').join('&')}`),
    graphql: () => events({ filter: { status: Array(21).fill('failed') } }),
    code: 'validation_failed',
  },
  {
    name: 'an oversized page',
    rest: () => hookpost.api('/api/webhooks?limit=101'),
    graphql: () => events({ first: 101 }),
    code: 'validation_failed',
  },
  {
    name: 'a cursor that is not one of the list',
    rest: () => hookpost.api('/api/webhooks?cursor=garbage'),
    graphql: () => events({ first: 2, after: 'garbage' }),
    code: 'validation_failed',
  },
  {
    name: 'an erasure whose filter matches every event, unconfirmed',
    rest: () => hookpost.api(`/api/mailboxes/${mailbox.id}/erasures`, { method: 'POST', json: { event_types: ['*'] } }),
    graphql: () =>
      gql(hookpost, `mutation($m: ID!) { startErasure(mailboxId: $m, filter: { eventTypes: ["*"] }) { id } }`, {
        m: mailbox.id,
      }),
    code: 'validation_failed',
  },
  {
    name: 'an erasure of an unknown mailbox',
    rest: () =>
      hookpost.api(`/api/mailboxes/${unknownId}/erasures`, { method: 'POST', json: { event_types: ['order.*'] } }),
    graphql: () =>
      gql(hookpost, `mutation($m: ID!) { startErasure(mailboxId: $m, filter: { eventTypes: ["order.*"] }) { id } }`, {
        m: unknownId,
      }),
    code: 'not_found',
  },
  {
    name: 'an unknown erasure',
    rest: () => hookpost.api(`/api/erasures/${unknownId}`),
    graphql: () => gql(hookpost, `query($id: ID!) { erasure(id: $id) { id } }`, { id: unknownId }),
    nullMeansNotFound: 'erasure',
    code: 'not_found',
  },
];

async function restCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: { code: string } };
  return body.error?.code ?? `no error (${response.status})`;
}

function graphqlCode(result: GraphQLResponse, nullMeansNotFound?: string): string {
  const codes = (result.errors ?? []).map((error) => error.extensions?.code ?? 'no code');
  if (codes.length) return codes.join(',');
  if (nullMeansNotFound && result.data?.[nullMeansNotFound] === null) return 'not_found';
  return 'no error';
}

describe('the same bad input gets the same error code over REST and GraphQL', () => {
  test.each(cases)('$name: $code', async ({ rest, graphql, nullMeansNotFound, code }) => {
    const [viaRest, viaGraphql] = await Promise.all([rest(), graphql()]);
    expect({ rest: await restCode(viaRest), graphql: graphqlCode(viaGraphql, nullMeansNotFound) }).toEqual({
      rest: code,
      graphql: code,
    });
  });

  test('nothing was written by any of them', async () => {
    const mailboxes = await listAll<Mailbox>(hookpost, '/api/mailboxes?include_deleted=true');
    expect(mailboxes.map(({ name }) => name).sort()).toEqual(['Gone', 'Parity']);
    for (const { id } of mailboxes) {
      const endpoints = await listAll<Endpoint>(hookpost, `/api/mailboxes/${id}/endpoints?include_deleted=true`);
      expect(endpoints.map((endpoint) => endpoint.id)).toEqual(id === mailbox.id ? [mailbox.endpoint_id] : []);
      expect(await listAll<Erasure>(hookpost, `/api/mailboxes/${id}/erasures`)).toEqual([]);
    }
  });
});
