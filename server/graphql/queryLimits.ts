/**
 * Limits on what one GraphQL operation may ask for, checked before anything runs, so
 * that no caller can make the API read (or hold connections for) more than a bounded
 * amount: its size in tokens, its aliases and directives (graphql-armor), and its
 * depth, breadth and cost (@pothos/plugin-complexity, costs in queryCost.ts). A refused
 * operation gets `extensions.code` `query_too_deep` (depth) or `query_too_complex`
 * (everything else) and nothing of it runs, mutations included. Batched requests (a
 * JSON array of operations) are not accepted at all (yoga's default).
 *
 * Operations costing more than half the limit take turns (heavyOperations.ts). The
 * dashboard's own operations stay within half of every limit
 * (test/graphql.query-limits.test.ts), so they never wait for one.
 */
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { MaxTokensParserWLexer } from '@escape.tech/graphql-armor-max-tokens';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { mapSchema, MapperKind } from '@graphql-tools/utils';
import {
  GraphQLError,
  validate,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type Source,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ErrorCode } from '../errors.ts';
import { createHeavyGate, type HeavyGate } from './heavyOperations.ts';

export interface QueryLimits {
  /** Lexical tokens in the document (names, punctuation, values). */
  tokens: number;
  /** Aliased fields in an operation (`a: events`), fragments counted where spread. */
  aliases: number;
  /** Directives in an operation (`@include`…). */
  directives: number;
  /** Fields nested inside each other. */
  depth: number;
  /** Fields selected in all, fragments counted where spread. */
  breadth: number;
  /** Objects the operation could return, pages at their requested sizes (queryCost.ts). */
  cost: number;
}

export const QUERY_LIMITS: QueryLimits = {
  tokens: 1_000,
  aliases: 20,
  directives: 20,
  depth: 20,
  breadth: 200,
  cost: 25_000,
};

type LimitCode = Extract<ErrorCode, 'query_too_complex' | 'query_too_deep'>;
const limitCodes = new Set<string>(['query_too_complex', 'query_too_deep'] satisfies LimitCode[]);

function limitError(code: LimitCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** graphql-armor words its refusals as syntax errors; they are not. */
const armorMessage = (error: GraphQLError) => error.message.replace(/^Syntax Error: /, '');

/** Parses a document, refusing one longer than `limits.tokens` as soon as the parser gets there. */
export function parseWithin(limits: Pick<QueryLimits, 'tokens'>) {
  return (source: string | Source, options?: ParseOptions): DocumentNode =>
    new MaxTokensParserWLexer(source, {
      ...options,
      n: limits.tokens,
      propagateOnRejection: false,
      onReject: [
        (_context, error) => {
          throw limitError('query_too_complex', armorMessage(error));
        },
      ],
    }).parseDocument();
}

/** Validation rules of the document alone (cacheable with it): aliases and directives. */
export function shapeRules(limits: Pick<QueryLimits, 'aliases' | 'directives'>): ValidationRule[] {
  const report = (context: ValidationContext | null, error: GraphQLError) =>
    context?.reportError(limitError('query_too_complex', armorMessage(error)));
  const options = { propagateOnRejection: false, onReject: [report] };
  return [maxAliasesRule({ ...options, n: limits.aliases }), maxDirectivesRule({ ...options, n: limits.directives })];
}

/**
 * The schema the costs are computed on: the same types and costs, without the argument
 * validation that the schema's resolvers run (plugin-validation). A cost needs only the
 * arguments' values, and an invalid argument must not make the cost unknown: it is
 * refused, with its own error, when its field runs.
 */
export function costSchemaOf(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field) => ({ ...field, extensions: { ...field.extensions, pothosArgMappers: [] } }),
  });
}

/**
 * The document without `__typename` selections: clients add them everywhere (urql does)
 * and they cost nothing, but the complexity plugin would count each like a field.
 */
function withoutTypenames(document: DocumentNode): DocumentNode {
  return visit(document, {
    Field: (field) => (field.name.value === '__typename' ? null : undefined),
  });
}

export interface OperationRequest {
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

/**
 * The refusals of a valid document's depth, breadth and cost, and its cost. They depend
 * on the variables (`first: $first`), so unlike the shape rules they are checked on
 * every request.
 */
export function checkCost(
  costSchema: GraphQLSchema,
  document: DocumentNode,
  request: OperationRequest,
  limits: Pick<QueryLimits, 'depth' | 'breadth' | 'cost'>,
): { errors: readonly GraphQLError[]; cost: number } {
  let cost = 0;
  const rule = createComplexityRule({
    context: {},
    variableValues: request.variables ?? {},
    operationName: request.operationName ?? undefined,
    validate: ({ depth, breadth, complexity }, report) => {
      cost = complexity;
      if (depth > limits.depth)
        report(
          limitError('query_too_deep', `The operation nests ${depth} fields deep; at most ${limits.depth} may be.`),
        );
      else if (breadth > limits.breadth)
        report(
          limitError('query_too_complex', `The operation selects ${breadth} fields; at most ${limits.breadth} may be.`),
        );
      else if (complexity > limits.cost)
        report(
          limitError(
            'query_too_complex',
            `The operation could return about ${complexity} objects; at most ${limits.cost} may be. ` +
              'Ask for smaller pages (first/last) or fewer nested lists.',
          ),
        );
    },
  });
  // Invalid variables or an unknown operation name leave the cost unknown; they are not
  // reported here but by execution, which refuses the whole operation for them.
  const errors = validate(costSchema, withoutTypenames(document), [rule]).filter((error) =>
    limitCodes.has(error.extensions['code'] as string),
  );
  return { errors, cost };
}

export const costErrors = (...args: Parameters<typeof checkCost>): readonly GraphQLError[] => checkCost(...args).errors;

/** Heavy operations at once per process, and how long one waits for its turn. */
export const HEAVY_OPERATIONS = { concurrency: 1, waitMs: 10_000 };

/** yoga's plugin: the limits on every operation over HTTP, SSE and WebSocket. */
export function useQueryLimits(
  schema: GraphQLSchema,
  limits: QueryLimits = QUERY_LIMITS,
  heavy: HeavyGate = createHeavyGate(HEAVY_OPERATIONS),
): Plugin<{ operationCost?: number; actor?: { tokenId: string } | null }> {
  const costSchema = costSchemaOf(schema);
  const parse = parseWithin(limits);
  const rules = shapeRules(limits);
  return {
    onParse: ({ setParseFn }) => setParseFn(parse),
    onValidate: ({ addValidationRule, params, context, extendContext }) => {
      for (const rule of rules) addValidationRule(rule);
      const request = (context as { params?: OperationRequest }).params ?? {};
      return ({ valid, setResult }) => {
        if (!valid) return;
        const { errors, cost } = checkCost(costSchema, params.documentAST, request, limits);
        if (errors.length > 0) setResult([...errors]);
        else extendContext({ operationCost: cost });
      };
    },
    // Queries and mutations; a subscription's updates are each bounded by its cost already.
    // Placed after the plugins that refuse an operation outright (useRequireActor), so a
    // caller without a token is told so at once instead of waiting for a turn.
    onExecute: async ({ args, executeFn, setExecuteFn }) => {
      if ((args.contextValue.operationCost ?? 0) <= limits.cost / 2) return;
      const end = await heavy.enter(args.contextValue.actor?.tokenId);
      // Given back when execution ends, however it ends (a thrown error skips onExecuteDone).
      setExecuteFn(async (executeArgs) => {
        try {
          return await executeFn(executeArgs);
        } finally {
          end();
        }
      });
      return { onExecuteDone: end };
    },
  };
}
