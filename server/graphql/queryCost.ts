/**
 * What a GraphQL field costs, for @pothos/plugin-complexity: about one unit per object
 * an operation can return, so an operation's cost is an upper bound on the rows it makes
 * PostgreSQL read, known from its shape and arguments before anything runs.
 *
 * - A scalar or enum is a column of a row already read: free (an event's body excepted).
 * - An object (a relation, a payload) is one unit.
 * - A connection is one unit plus its page, at its requested size (`first`/`last`, else
 *   the default page), times what each item selects: nesting multiplies.
 * - A list that is not a connection says its own bound where it is declared (`complexity`
 *   beside the field); one that does not is counted as a full page.
 * Fields whose items are parts of their parent's row (headers, per-minute counts) declare
 * `IN_ROW`.
 */
import type { FieldComplexityValue } from '@pothos/plugin-complexity';
import {
  getNamedType,
  GraphQLList,
  GraphQLNonNull,
  isLeafType,
  isObjectType,
  type GraphQLField,
  type GraphQLOutputType,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../paging.ts';

/**
 * An event's body: a column of its row, but up to 1 MiB, so asking for one costs as much
 * as ten rows (the bytes an answer may carry are bounded too: bodyBudget.ts).
 */
export const BODY_COST = 10;

/** Items that come with their parent's row (a JSON column, a computed summary): nothing more to read. */
export const IN_ROW: FieldComplexityValue = { field: 0, multiplier: 0 };

/** A list of at most `bound` objects: each is one, plus what it selects. */
export const listOf = (bound: number): FieldComplexityValue => ({ field: bound, multiplier: bound });

function isList(type: GraphQLOutputType): boolean {
  if (type instanceof GraphQLNonNull) return isList(type.ofType);
  return type instanceof GraphQLList;
}

// Any context: costs depend only on the schema and the arguments.
type AnyField = GraphQLField<unknown, never, Record<string, unknown>>;

function isConnection(field: AnyField): boolean {
  const type = getNamedType(field.type);
  return isObjectType(type) && 'edges' in type.getFields() && 'pageInfo' in type.getFields();
}

/** The page a connection field asks for, as the relay plugin will serve it. */
export function pageSize(args: Record<string, unknown>): number {
  const asked = typeof args['first'] === 'number' ? args['first'] : args['last'];
  if (typeof asked !== 'number') return DEFAULT_PAGE_SIZE;
  // A larger page is refused as validation_failed when it runs; it is not the cost's business.
  return Math.min(Math.max(asked, 0), MAX_PAGE_SIZE);
}

/** The cost of a field that does not declare its own (the builder's `fieldComplexity`). */
export function fieldCost(args: Record<string, unknown>, _context: unknown, field: AnyField): FieldComplexityValue {
  const type = getNamedType(field.type);
  if (isLeafType(type)) return 0;
  if (isConnection(field)) return { field: 1, multiplier: pageSize(args) };
  // A connection's parts: its page was counted on the connection field itself.
  if (field.name === 'edges' && type.name.endsWith('Edge')) return { field: 0, multiplier: 1 };
  if (type.name === 'PageInfo') return 0;
  if (isList(field.type)) return listOf(MAX_PAGE_SIZE);
  return 1;
}
