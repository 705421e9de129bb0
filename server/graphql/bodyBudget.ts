/**
 * How many bytes of event bodies one GraphQL answer may carry. Costs (queryCost.ts) bound
 * how many bodies an operation can ask for, not how big they are: a body may be up to
 * HOOKPOST_MAX_BODY_BYTES (1 MiB by default), so one page of 100 could be 100 MiB of
 * JSON, built on the api process's one thread (stalling every producer it serves) and
 * held in its memory. Each body an answer includes is counted against the budget; past
 * it, the operation is refused as `query_too_complex`, telling the caller to ask for
 * fewer bodies at a time (the dashboard's export halves its page and asks again).
 *
 * An answer is one query or mutation, or one update of a subscription: the update's root
 * value within the subscription's context. Both are needed, since a live feed hands every
 * subscriber the same batch object (live/liveFeeds.ts): counted by it alone, ten watchers
 * would spend one budget between them, and each would be refused for the others' bodies.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError } from '../errors.ts';

export const BODY_BYTES_PER_ANSWER = 16 * 1024 * 1024;

/** Bytes spent per context (an operation), then per root value (an update of a subscription). */
const spentBy = new WeakMap<object, WeakMap<object, number>>();

const REFUSAL =
  `The answer would carry more than ${BODY_BYTES_PER_ANSWER / (1024 * 1024)} MiB of event bodies; ` +
  'ask for fewer events with `body` at a time (a smaller `first`).';

/** The answer a resolver is part of, within its operation: a subscription's update, else the operation. */
function answerOf(context: object, info: Pick<GraphQLResolveInfo, 'rootValue'>): object {
  const root: unknown = info.rootValue;
  return typeof root === 'object' && root !== null ? root : context;
}

/** Counts a body into its answer; throws once the answer has carried more than `budget` bytes. */
export function spendBodyBytes(
  context: object,
  info: Pick<GraphQLResolveInfo, 'rootValue'>,
  bytes: number,
  budget = BODY_BYTES_PER_ANSWER,
): void {
  let answers = spentBy.get(context);
  if (!answers) spentBy.set(context, (answers = new WeakMap()));
  const answer = answerOf(context, info);
  const spent = (answers.get(answer) ?? 0) + bytes;
  answers.set(answer, spent);
  if (spent > budget) throw new AppError('query_too_complex', REFUSAL);
}

/**
 * Every body past the budget fails on its own, so a refused answer would list the same
 * error once per body (thousands); the client is told once.
 */
export function useBodyBudget(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!('errors' in result) || !result.errors || result.errors.length < 2) return;
        const refusals = result.errors.filter((error) => error.message === REFUSAL);
        if (refusals.length < 2) return;
        setResult({ ...result, errors: [...result.errors.filter((error) => error.message !== REFUSAL), refusals[0]!] });
      },
    }),
  };
}
