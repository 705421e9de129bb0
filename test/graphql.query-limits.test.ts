/**
 * GraphQL limits on what one operation may ask for (server/graphql/queryLimits.ts):
 * - every operation of the dashboard fits within half of every limit, at its largest
 *   pages, as urql sends it;
 * - the operations that stalled everyone (a 115-byte `events → mailbox → events` nest
 *   with `first: 60`, 3,000 aliases, 164 levels) are refused with a clear
 *   `extensions.code`, before anything runs: a refused mutation writes nothing.
 */
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  print,
  specifiedRules,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from 'graphql';
import { formatDocument } from 'urql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  costErrors,
  costSchemaOf,
  parseWithin,
  QUERY_LIMITS,
  shapeRules,
  type QueryLimits,
} from '../server/graphql/queryLimits.ts';
import { schema } from '../server/graphql/schema/index.ts';
import { MAX_PAGE_SIZE } from '../server/paging.ts';
import type { Mailbox } from '../clients/typescript/src/types.ts';
import * as dashboard from '../web/src/generated/graphql.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { errorCodes, gql, gqlData, subscribeSse, subscribeWs } from './support/graphql.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  TEST_ADMIN_TOKEN,
  type TestHookpost,
} from './support/hookpost.ts';
import { listAll } from './support/listAll.ts';

/** A value the variable's type accepts (strings are URLs, so that URL inputs pass too). */
function sampleValue(type: GraphQLInputType): unknown {
  const inner = getNullableType(type) as GraphQLInputType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]!.value;
  if (isInputObjectType(inner))
    return Object.fromEntries(
      Object.values(inner.getFields())
        .filter((field) => isNonNullType(field.type))
        .map((field) => [field.name, sampleValue(field.type)]),
    );
  if (isScalarType(inner)) {
    const samples: Record<string, unknown> = {
      ID: '0190a5b0-0000-7000-8000-000000000000',
      String: 'https://receiver.example/hook',
      Int: 1,
      Float: 1,
      Boolean: true,
      DateTime: new Date().toISOString(),
    };
    if (inner.name in samples) return samples[inner.name];
  }
  throw new Error(`No sample value for ${String(type)}`);
}

/** The variables that make an operation its most expensive: largest pages, every required value. */
function worstVariables(operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (name === 'first' || name === 'last') variables[name] = MAX_PAGE_SIZE;
    else if (definition.type.kind === Kind.NON_NULL_TYPE)
      variables[name] = sampleValue(typeFromAST(schema, definition.type) as GraphQLInputType);
  }
  return variables;
}

const operations = Object.entries(dashboard).flatMap(([name, value]) => {
  const document = value as unknown as DocumentNode;
  if (document?.kind !== Kind.DOCUMENT) return [];
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  return operation ? [{ name, document, operation }] : [];
});

describe("the dashboard's own operations", () => {
  const half: QueryLimits = {
    tokens: QUERY_LIMITS.tokens / 2,
    aliases: QUERY_LIMITS.aliases / 2,
    directives: QUERY_LIMITS.directives / 2,
    depth: QUERY_LIMITS.depth / 2,
    breadth: QUERY_LIMITS.breadth / 2,
    cost: QUERY_LIMITS.cost / 2,
  };
  const costSchema = costSchemaOf(schema);

  test('there are operations of every kind to check', () => {
    const kinds = new Set(operations.map(({ operation }) => operation.operation));
    expect(kinds).toEqual(new Set(['query', 'mutation', 'subscription']));
    expect(operations.length).toBeGreaterThan(20);
  });

  test.each(operations.map(({ name, document, operation }) => [name, document, operation] as const))(
    '%s fits within half of every limit',
    (_name, document, operation) => {
      // As urql sends it: with __typename added to every selection.
      const source = print(formatDocument(document));
      const parsed = parseWithin(half)(source);
      expect(validate(schema, parsed, [...specifiedRules, ...shapeRules(half)])).toEqual([]);
      const request = { variables: worstVariables(operation), operationName: operation.name?.value };
      expect(costErrors(costSchema, parsed, request, half)).toEqual([]);
    },
  );
});

describe('operations past the limits', () => {
  let db: TestDatabase;
  let hookpost: TestHookpost;

  beforeAll(async () => {
    db = await createTestDatabase();
    hookpost = await startTestHookpost(db.url, { role: 'api' });
    await gqlData(hookpost, `mutation { createMailbox(input: {name: "Orders"}) { mailbox { id } } }`);
  });

  afterAll(async () => {
    await hookpost?.stop();
    await db?.drop();
  });

  const mailboxIds = async () =>
    (await listAll<Mailbox>(hookpost, '/api/mailboxes?include_deleted=true')).map((mailbox) => mailbox.id);

  /** `events { … mailbox { events { … } } }`, `levels` events deep, each page `first`. */
  const nestedEvents = (levels: number, first: number): string => {
    let inner = 'id';
    for (let level = 0; level < levels; level += 1)
      inner = `events(first:${first}){edges{node{${level === 0 ? inner : `mailbox{${inner}}`}}}}`;
    return `{${inner}}`;
  };

  test('the 115-byte nested query with first: 60 is refused as too complex; one level less runs', async () => {
    const query = nestedEvents(3, 60);
    expect(Buffer.byteLength(query)).toBe(115);
    const refused = await gql(hookpost, query);
    expect(errorCodes(refused)).toEqual(['query_too_complex']);
    expect(refused.errors![0]!.message).toMatch(/could return about \d+ objects; at most 25000/);
    expect(refused.data).toBeUndefined();

    const allowed = await gql(hookpost, nestedEvents(2, 60));
    expect(allowed.errors).toBeUndefined();
  });

  test('an answer carries at most 16 MiB of event bodies: past it, one refusal and no data; a smaller page is answered', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Large bodies' });
    // 20 bodies of just under 1 MiB (the largest accepted): 20 MiB in all.
    const large = JSON.stringify({ event: 'file.uploaded', data: 'x'.repeat(1024 * 1024 - 64) });
    for (let i = 0; i < 20; i += 1) expect((await sendEvent(hookpost, mailbox, large)).status).toBe(202);
    const page = (first: number) =>
      gql(
        hookpost,
        `query($m: ID!, $n: Int!) { events(filter: {mailboxId: $m}, first: $n) { edges { node { body } } } }`,
        {
          m: mailbox.id,
          n: first,
        },
      );
    const refused = await page(20);
    expect(errorCodes(refused)).toEqual(['query_too_complex']);
    expect(refused.errors![0]!.message).toMatch(/more than 16 MiB of event bodies/);
    expect(refused.data ?? null).toBeNull();
    const answered = await page(15);
    expect(answered.errors).toBeUndefined();
    expect(answered.data.events.edges).toHaveLength(15);
    expect(answered.data.events.edges[0].node.body).toBe(large);
  });

  test("each subscriber's update has its own 16 MiB of bodies: subscribers to one feed do not spend each other's", async () => {
    // Every subscriber of a feed is handed the same batch object as its update's root value;
    // ten watchers of 10 MiB of new events is 100 MiB in all, but 10 MiB in each answer.
    const mailbox = await createMailbox(hookpost, { name: 'Watched bodies' });
    const large = JSON.stringify({ event: 'file.uploaded', data: 'y'.repeat(1024 * 1024 - 64) });
    const watchers = Array.from({ length: 10 }, () =>
      subscribeSse(hookpost, `subscription($m: ID!) { eventReceived(mailboxId: $m) { events { id body } } }`, {
        m: mailbox.id,
      }),
    );
    try {
      // The subscriptions are live once a small event reaches every one of them.
      const trackingNumberOf = async (response: Response) =>
        ((await response.json()) as { tracking_number: string }).tracking_number;
      const small = await trackingNumberOf(await sendEvent(hookpost, mailbox, { event: 'ping' }));
      const seen = (watcher: (typeof watchers)[number], id: string) =>
        watcher.payloads.some((payload) =>
          payload.data?.eventReceived.events.some((event: { id: string }) => event.id === id),
        );
      await Promise.all(watchers.map((watcher) => watcher.until(() => seen(watcher, small), 20_000)));
      const ids = await Promise.all(
        Array.from({ length: 10 }, async () => trackingNumberOf(await sendEvent(hookpost, mailbox, large))),
      );
      for (const watcher of watchers) {
        await watcher.until(
          (payloads) => payloads.some((payload) => payload.errors) || ids.every((id) => seen(watcher, id)),
          30_000,
        );
        expect(watcher.payloads.flatMap((payload) => payload.errors ?? [])).toEqual([]);
      }
    } finally {
      await Promise.all(watchers.map((watcher) => watcher.close()));
    }
  });

  test('operations costing more than half the limit take turns, and every turn is given back', async () => {
    // Cost 1 + 100 × (3 + 100 × 2) = 20,301: heavy. Three at once, three times over: a turn
    // not given back would leave the next ones waiting until they are refused.
    const mailbox = await createMailbox(hookpost, { name: 'Heavy reads' });
    for (let i = 0; i < 5; i += 1)
      expect((await sendEvent(hookpost, mailbox, { event: 'order.created' })).status).toBe(202);
    const heavy = `{ events(first: 100) { edges { node { id mailbox { events(first: 100) { edges { node { id mailbox { name } } } } } } } } }`;
    for (let round = 0; round < 3; round += 1) {
      const answers = await Promise.all([gql(hookpost, heavy), gql(hookpost, heavy), gql(hookpost, heavy)]);
      for (const answer of answers) {
        expect(answer.errors).toBeUndefined();
        expect(answer.data.events.edges.length).toBeGreaterThan(0);
      }
    }
  });

  test('3,000 aliases are refused before they are even parsed in full', async () => {
    const query = `{${Array.from({ length: 3_000 }, (_, i) => `a${i}: mailboxes { totalCount }`).join(' ')}}`;
    const refused = await gql(hookpost, query);
    expect(errorCodes(refused)).toEqual(['query_too_complex']);
    expect(refused.errors![0]!.message).toMatch(/Token limit of 1000 exceeded/);
  });

  test('aliases past the limit in a mutation are refused and write nothing', async () => {
    const before = await mailboxIds();
    const mutation = `mutation {${Array.from(
      { length: 30 },
      (_, i) => `m${i}: createMailbox(input: {name: "copy ${i}"}) { mailbox { id } }`,
    ).join(' ')}}`;
    const refused = await gql(hookpost, mutation);
    expect(errorCodes(refused)).toEqual(['query_too_complex']);
    expect(refused.errors![0]!.message).toMatch(/Aliases limit of 20 exceeded, found 30/);
    expect(await mailboxIds()).toEqual(before);
  });

  test('a mutation asking for too much back is refused as a whole: nothing is created', async () => {
    const before = await mailboxIds();
    const refused = await gql(
      hookpost,
      `mutation { createMailbox(input: {name: "greedy"}) { mailbox { ${nestedEvents(3, 100).slice(1, -1)} } } }`,
    );
    expect(errorCodes(refused)).toEqual(['query_too_complex']);
    expect(await mailboxIds()).toEqual(before);
  });

  test('a 164-level query is refused as too deep', async () => {
    let inner = 'id';
    // mailbox → events → edges → node → mailbox …: 4 levels per turn.
    for (let turn = 0; turn < 41; turn += 1) inner = `mailbox{events(first:1){edges{node{${inner}}}}}`;
    const query = `{events(first:1){edges{node{${inner}}}}}`;
    const refused = await gql(hookpost, query);
    expect(errorCodes(refused)).toEqual(['query_too_deep']);
    expect(refused.errors![0]!.message).toBe('The operation nests 168 fields deep; at most 20 may be.');
  });

  test('a subscription over WebSocket is held to the same limits', async () => {
    let inner = 'id';
    for (let turn = 0; turn < 6; turn += 1) inner = `mailbox{events(first:1){edges{node{${inner}}}}}`;
    const subscription = subscribeWs(hookpost, `subscription { eventReceived { events { ${inner} } } }`);
    await subscription.completed;
    expect(subscription.failure).toEqual([expect.objectContaining({ extensions: { code: 'query_too_deep' } })]);
    await subscription.close();
  });

  test('a batch of operations in one request is not accepted', async () => {
    const response = await fetch(`${hookpost.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      body: JSON.stringify([{ query: '{ mailboxes { totalCount } }' }, { query: '{ mailboxes { totalCount } }' }]),
    });
    expect(response.status).toBe(400);
    expect(Array.isArray(await response.json())).toBe(false);
  });

  test('the same document passes or not by its variables (limits are not cached with the document)', async () => {
    const query = `query($n: Int) { events(first: $n) { edges { node { mailbox { events(first: $n) { edges { node { mailbox { events(first: $n) { edges { node { id } } } } } } } } } } } }`;
    expect((await gql(hookpost, query, { n: 5 })).errors).toBeUndefined();
    expect(errorCodes(await gql(hookpost, query, { n: 100 }))).toEqual(['query_too_complex']);
    expect((await gql(hookpost, query, { n: 5 })).errors).toBeUndefined();
  });
});
