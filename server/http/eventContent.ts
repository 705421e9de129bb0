/**
 * An event's body as the OpenAPI document shows it, per Content-Type: what a producer
 * may send (ingest/contentType.ts decides) is what a receiver gets, byte for byte.
 * Examples sit in each schema, where @fastify/swagger looks for them.
 */
import { examples } from './examples.ts';

const xml = '<order id="ORD-001" status="completed"/>';
const text = { type: 'string' as const };

export const eventBodyContent = {
  'application/json': {
    schema: {
      description: 'Any JSON value; its `event` or `type` field names the event type',
      examples: [JSON.parse(examples.body) as unknown],
    },
  },
  'text/plain': { schema: { ...text, examples: ['order ORD-001 completed'] } },
  'application/x-www-form-urlencoded': {
    schema: {
      type: 'object' as const,
      additionalProperties: text,
      examples: [{ event: 'order.completed', order_id: 'ORD-001' }],
    },
  },
  'application/xml': { schema: { ...text, examples: [xml] } },
  'text/xml': { schema: { ...text, examples: [xml] } },
};
