/**
 * How many live subscriptions each access token holds in this process, bounded: every
 * subscription costs a feed and a query per payload, so one caller (however many
 * connections it opens) can hold at most `maxPerToken` at once. A WebSocket connection
 * has its own, lower bound (graphqlPlugin.ts).
 */
import { AppError } from '../../errors.ts';

export interface LiveQuota {
  /** Takes a place for `tokenId`, returning how to give it back; throws `too_many_subscriptions` when full. */
  take(tokenId: string): () => void;
  /** Places taken by `tokenId`. */
  held(tokenId: string): number;
}

export function createLiveQuota(maxPerToken: number): LiveQuota {
  const held = new Map<string, number>();
  return {
    take(tokenId) {
      const count = held.get(tokenId) ?? 0;
      if (count >= maxPerToken)
        throw new AppError(
          'too_many_subscriptions',
          `This access token already has ${count} live subscriptions open, the most allowed; close one first.`,
        );
      held.set(tokenId, count + 1);
      let given = false;
      return () => {
        if (given) return;
        given = true;
        const left = (held.get(tokenId) ?? 1) - 1;
        if (left > 0) held.set(tokenId, left);
        else held.delete(tokenId);
      };
    },
    held: (tokenId) => held.get(tokenId) ?? 0,
  };
}
