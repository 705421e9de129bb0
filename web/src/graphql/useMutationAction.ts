/**
 * A mutation run from a button: on failure a toast says why (errorMessage, the same words
 * everywhere); on success an optional toast confirms it. Returns the data, or undefined
 * when it failed. Forms that show the error beside their fields use `errorMessage` on the
 * mutation's state instead.
 */
import { useCallback } from 'react';
import { useMutation, type AnyVariables, type TypedDocumentNode } from 'urql';
import { useToast } from '../ui/Toasts.tsx';
import { errorMessage } from './errorMessage.ts';

export function useMutationAction<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>) {
  const [state, execute] = useMutation(document);
  const toast = useToast();
  const run = useCallback(
    async (variables: Variables, done?: string | ((data: Data) => string)): Promise<Data | undefined> => {
      const result = await execute(variables);
      if (result.error || !result.data) {
        toast(errorMessage(result.error ?? 'Hookpost gave no answer.'), 'error');
        return undefined;
      }
      if (done) toast(typeof done === 'function' ? done(result.data) : done);
      return result.data;
    },
    [execute, toast],
  );
  return [state, run] as const;
}
