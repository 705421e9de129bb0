import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { describe, expect, test } from 'vitest';
import { createHeavyGate } from './heavyOperations.ts';
import { QUERY_LIMITS, useQueryLimits } from './queryLimits.ts';

const schema = createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'hi' } } });

describe("a heavy operation's turn", () => {
  test('is given back when execution throws instead of answering', async () => {
    const gate = createHeavyGate({ concurrency: 1, waitMs: 100 });
    // A cost limit of 1 makes `{ hello }` (cost 1) heavy: more than half the limit.
    const limits = { ...QUERY_LIMITS, cost: 1 };
    const throwing: Plugin = {
      onExecute: ({ setExecuteFn }) =>
        setExecuteFn(() => {
          throw new Error('The database went away.');
        }),
    };
    const yoga = createYoga({
      schema,
      plugins: [throwing, useQueryLimits(schema, limits, gate)],
      logging: false,
      maskedErrors: false,
    });
    for (let i = 0; i < 3; i += 1) {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ hello }' }),
      });
      const answer = (await response.json()) as { errors?: { message: string }[] };
      expect(answer.errors?.[0]?.message).toMatch(/database went away|Unexpected error/);
      expect(gate.running).toBe(0);
    }
  });
});
