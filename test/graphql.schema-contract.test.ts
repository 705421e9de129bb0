/**
 * schema.graphql is the committed contract, printed from the code (`npm run schema`).
 * These tests fail when the code and the file drift apart, and when a type, field,
 * argument or enum value has no description.
 */
import fs from 'node:fs/promises';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, test } from 'vitest';
import { printedSchema, schemaFile } from '../server/graphql/printSchema.ts';
import { schema } from '../server/graphql/schema/index.ts';

describe('the GraphQL schema contract', () => {
  test('schema.graphql is what the code prints (run `npm run schema` after changing the schema)', async () => {
    const committed = await fs.readFile(schemaFile, 'utf8');
    expect(committed).toBe(printedSchema());
  });

  test('every type, field, argument and enum value has a description', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : [])
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isEnumType(type))
        for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
    expect(missing).toEqual([]);
  });

  test('the operations of the issue are all there', () => {
    const fields = (name: 'Query' | 'Mutation' | 'Subscription') => {
      const type = schema.getType(name);
      return isObjectType(type) ? Object.keys(type.getFields()).sort() : [];
    };
    expect(fields('Query')).toEqual(
      expect.arrayContaining(['mailboxes', 'mailbox', 'endpoints', 'events', 'event', 'delivery', 'stats']),
    );
    expect(fields('Mutation')).toEqual(
      expect.arrayContaining([
        'createMailbox',
        'updateMailbox',
        'deleteMailbox',
        'createApiKey',
        'revokeApiKey',
        'createEndpoint',
        'updateEndpoint',
        'enableEndpoint',
        'disableEndpoint',
        'rotateEndpointSecret',
        'deleteEndpoint',
        'retryDelivery',
        'retryEvent',
        'sendTestEvent',
        'pauseEndpoint',
        'resumeEndpoint',
        'startReplay',
        'cancelReplay',
        'eraseEvent',
        'startErasure',
        'cancelErasure',
      ]),
    );
    expect(fields('Subscription')).toEqual([
      'deliveryUpdated',
      'endpointChanged',
      'erasureUpdated',
      'eventReceived',
      'replayUpdated',
    ]);
  });
});
