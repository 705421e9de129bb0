/**
 * Logs never hold a secret. A whole flow runs with the log at `debug` — signing in and
 * out, access tokens, API keys, signing secrets revealed and rotated, custom headers
 * sent to a receiver, events accepted and refused, GraphQL over HTTP (GET and POST) and
 * WebSocket, refused and malformed operations with secrets written inline and in
 * variables — and then every secret value it handled is searched for in every line.
 * Client errors are logged, at info, and nothing the client did is logged at error.
 */
import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../server/logger.ts';
import { gql, gqlData } from './support/graphql.ts';
import { sendEvent, TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const lines: string[] = [];
const receiver = useReceiver();
const { hookpost } = useHookpost(
  {},
  {
    logger: createLogger({
      level: 'debug',
      pretty: false,
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      }),
    }),
  },
);
/** Every secret value the flow handled. */
const secrets = new Map<string, string>();
const keep = (what: string, value: string) => {
  secrets.set(what, value);
  return value;
};

beforeAll(async () => {
  keep('the admin token', TEST_ADMIN_TOKEN);
});

async function wsOperation(query: string, token: string): Promise<unknown> {
  const client = createClient({
    url: `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    return await new Promise((resolve, reject) => {
      let result: unknown;
      client.subscribe(
        { query },
        { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
      );
    });
  } finally {
    await client.dispose();
  }
}

describe('a whole flow at debug level', () => {
  test('runs', async () => {
    // Signing in, badly and well; the session cookie is a secret too.
    const wrongToken = keep('a wrong token', 'hpt_wrongwrongwrong_c2VjcmV0LXdyb25nLXRva2Vu');
    expect(
      (await hookpost.api('/api/session', { method: 'POST', token: null, json: { token: wrongToken } })).status,
    ).toBe(401);
    const signedIn = await hookpost.api('/api/session', {
      method: 'POST',
      token: null,
      json: { token: TEST_ADMIN_TOKEN },
    });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    keep('the session cookie', cookie.split('=')[1]!);
    const own = new URL(hookpost.baseUrl).origin;
    expect((await hookpost.api('/api/mailboxes', { token: null, headers: { cookie, origin: own } })).status).toBe(200);

    // Access tokens.
    const viewer = keep(
      'a viewer token',
      (await gqlData(hookpost, `mutation { createAccessToken(name: "ci", role: viewer) { token } }`)).createAccessToken
        .token,
    );
    const operator = keep(
      'an operator token',
      (await gqlData(hookpost, `mutation { createAccessToken(name: "ops", role: operator) { token } }`))
        .createAccessToken.token,
    );

    // A mailbox, its key and secret; another key; an endpoint with secret headers.
    const created = await (
      await hookpost.api('/api/mailboxes', {
        method: 'POST',
        json: { name: 'Logged', target_url: `${receiver.url}/a` },
      })
    ).json();
    keep('the first API key', created.api_key);
    keep('the first signing secret', created.signing_secret);
    const secondKey = await (
      await hookpost.api(`/api/mailboxes/${created.id}/api-keys`, { method: 'POST', json: { name: 'second' } })
    ).json();
    keep('the second API key', secondKey.api_key);
    const restHeader = keep('a REST custom header value', 'Bearer rest-header-c2VjcmV0LTM');
    const endpoint = await (
      await hookpost.api(`/api/mailboxes/${created.id}/endpoints`, {
        method: 'POST',
        json: { url: `${receiver.url}/b`, headers: { Authorization: restHeader } },
      })
    ).json();
    keep('the second signing secret', endpoint.signing_secret);
    const gqlHeader = keep('a GraphQL custom header value', 'Bearer gql-header-c2VjcmV0LTI');
    const gqlEndpoint = await gqlData(
      hookpost,
      `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { signingSecret endpoint { id } } }`,
      { input: { mailboxId: created.id, url: `${receiver.url}/c`, headers: [{ name: 'X-Auth', value: gqlHeader }] } },
      { token: operator },
    );
    keep('the third signing secret', gqlEndpoint.createEndpoint.signingSecret);

    // Reveal and rotate.
    keep(
      'a revealed secret',
      (await (await hookpost.api(`/api/endpoints/${endpoint.id}/secret`)).json()).signing_secret,
    );
    keep(
      'a rotated secret',
      (await (await hookpost.api(`/api/endpoints/${endpoint.id}/rotate-secret`, { method: 'POST' })).json())
        .signing_secret,
    );

    // Events: accepted (delivered with the custom headers), and refused with a wrong key.
    const before = receiver.requests.length;
    expect((await sendEvent(hookpost, created, { event: 'order.created' })).status).toBe(202);
    expect((await sendEvent(hookpost, { id: created.id, api_key: secondKey.api_key }, { event: 'b' })).status).toBe(
      202,
    );
    const wrongKey = keep('a wrong API key', 'hpk_wrongwrong_c2VjcmV0LWFwaS1rZXk');
    expect((await sendEvent(hookpost, { id: created.id, api_key: wrongKey }, { event: 'c' })).status).toBe(401);
    const delivered = await receiver.waitForRequests(before + 6);
    expect(delivered.some((request) => request.headers['authorization'] === restHeader)).toBe(true);
    expect(delivered.some((request) => request.headers['x-auth'] === gqlHeader)).toBe(true);

    // Refused and malformed GraphQL, with secrets inline and in variables.
    const inline = keep('a secret written inline in a refused mutation', 'Bearer inline-c2VjcmV0LTE');
    const refused = await gql(
      hookpost,
      `mutation { createEndpoint(input: {mailboxId: "${created.id}", url: "https://example.com", headers: [{name: "Authorization", value: "${inline}"}]}) { signingSecret } }`,
      {},
      { token: viewer },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('forbidden');
    const invalid = keep('a secret in the variables of an invalid mutation', 'Bearer invalid-c2VjcmV0LTQ');
    const rejected = await gql(
      hookpost,
      `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { signingSecret } }`,
      { input: { mailboxId: created.id, url: 'ftp://example.com', headers: [{ name: 'X-A', value: invalid }] } },
    );
    expect(rejected.errors?.[0]?.extensions?.code).toBe('validation_failed');
    const coerced = keep('a secret in a variable of the wrong shape', 'Bearer coerced-c2VjcmV0LTU');
    const malformed = await gql(
      hookpost,
      `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { signingSecret } }`,
      {
        input: { mailboxId: created.id, url: 'https://example.com', headers: [{ name: 'X-A', value: coerced, x: 1 }] },
      },
    );
    expect(malformed.errors?.[0]?.extensions?.code).toBe('bad_request');
    const inUrl = keep('a secret in a GET query string', 'c2VjcmV0LWluLXVybA');
    const get = await fetch(
      `${hookpost.baseUrl}/graphql?query=${encodeURIComponent(`query($x: String) { me { name } }`)}&variables=${encodeURIComponent(JSON.stringify({ x: inUrl }))}`,
      { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, accept: 'application/json' } },
    );
    expect(get.status).toBe(200);

    // Over WebSocket, with the token in connection_init: a query, and a refused mutation.
    expect(await wsOperation(`{ me { role } }`, viewer)).toEqual({ data: { me: { role: 'viewer' } } });
    const overWs = keep('a secret in a mutation over WebSocket', 'Bearer ws-c2VjcmV0LTY');
    const wsRefused = (await wsOperation(
      `mutation { createEndpoint(input: {mailboxId: "${created.id}", url: "https://example.com", headers: [{name: "A", value: "${overWs}"}]}) { signingSecret } }`,
      viewer,
    )) as { errors?: { extensions?: { code?: string } }[] };
    expect(wsRefused.errors?.[0]?.extensions?.code).toBe('forbidden');

    // Signing out.
    expect(
      (await hookpost.api('/api/session', { method: 'DELETE', token: null, headers: { cookie, origin: own } })).status,
    ).toBe(204);
    await hookpost.runtime.changes.flush();
  });

  test('every secret it handled is absent from every log line', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(18);
    const leaks = [...secrets].flatMap(([what, value]) =>
      lines.filter((line) => line.includes(value)).map((line) => `${what} in: ${line.slice(0, 300)}`),
    );
    expect(leaks).toEqual([]);
  });

  test('the log is the one the flow wrote: requests at debug, client errors at info, no errors', () => {
    const records = lines.map((line) => JSON.parse(line) as { level: number; msg: string; code?: string });
    expect(records.filter((r) => r.level === 20 && r.msg === 'Request served.').length).toBeGreaterThan(15);
    expect(records.some((r) => r.level === 30 && r.code === 'forbidden')).toBe(true);
    expect(records.some((r) => r.level === 30 && r.code === 'validation_failed')).toBe(true);
    expect(lines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });
});
