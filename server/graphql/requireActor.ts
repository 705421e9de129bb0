/**
 * Without a signed-in caller, an operation is refused as a whole with `unauthenticated`,
 * before its arguments are validated: every root field needs at least the viewer role,
 * so nothing else could come back, and a client should learn first that it must sign
 * in. Introspection (`__schema`, `__type`) stays open where GraphiQL is on
 * (HOOKPOST_GRAPHIQL), so GraphiQL and code generators can read the schema, which is
 * public in the repository anyway; elsewhere it needs a token too.
 */
import { GraphQLError, getOperationAST, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { authorize } from '../auth/roles.ts';
import { AppError } from '../errors.ts';
import type { GraphQLContext } from './context.ts';

function readsData(
  document: DocumentNode,
  operationName: string | null | undefined,
  openIntrospection: boolean,
): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) return true;
  const open = (name: string) => name === '__typename' || (openIntrospection && name.startsWith('__'));
  return operation.selectionSet.selections.some(
    (selection) => selection.kind !== Kind.FIELD || !open(selection.name.value),
  );
}

function unauthenticated(): GraphQLError {
  let message = 'Sign in.';
  try {
    authorize(null, 'viewer');
  } catch (error) {
    if (error instanceof AppError) message = error.message;
  }
  return new GraphQLError(message, { extensions: { code: 'unauthenticated' } });
}

export function useRequireActor(options: { openIntrospection: boolean }): Plugin<GraphQLContext> {
  const refuse = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { contextValue: GraphQLContext; document: DocumentNode; operationName?: string | null };
    setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
  }) => {
    if (!args.contextValue.actor && readsData(args.document, args.operationName, options.openIntrospection))
      setResultAndStopExecution({ errors: [unauthenticated()] });
  };
  return { onExecute: refuse, onSubscribe: refuse };
}
