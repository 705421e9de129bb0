/**
 * Without a signed-in caller, an operation is refused as a whole with `unauthenticated`,
 * before its arguments are validated: every root field needs at least the viewer role,
 * so nothing else could come back, and a client should learn first that it must sign
 * in. Introspection (`__schema`, `__type`, `__typename`) stays open, so GraphiQL and
 * code generators can read the schema, which is public in the repository anyway.
 */
import { GraphQLError, getOperationAST, Kind, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { authorize } from '../auth/roles.ts';
import { AppError } from '../errors.ts';
import type { GraphQLContext } from './context.ts';

function readsData(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) return true;
  return operation.selectionSet.selections.some(
    (selection) => selection.kind !== Kind.FIELD || !selection.name.value.startsWith('__'),
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

export function useRequireActor(): Plugin<GraphQLContext> {
  const refuse = ({
    args,
    setResultAndStopExecution,
  }: {
    args: { contextValue: GraphQLContext; document: DocumentNode; operationName?: string | null };
    setResultAndStopExecution: (result: { errors: GraphQLError[] }) => void;
  }) => {
    if (!args.contextValue.actor && readsData(args.document, args.operationName))
      setResultAndStopExecution({ errors: [unauthenticated()] });
  };
  return { onExecute: refuse, onSubscribe: refuse };
}
