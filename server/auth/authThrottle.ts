/**
 * Limits on guessing credentials. Failed authentications (an unknown or revoked access
 * token, API key or session cookie, a wrong token at sign-in) are counted per client IP
 * and per credential prefix (its first 12 characters) in PostgreSQL, so the limits hold
 * across every API process. Past a limit, the caller gets 429 with Retry-After until
 * the window ends, and its credentials are not even looked up: a blocked guesser costs
 * no database query and writes nothing.
 *
 * The counting is rate-limiter-flexible's RateLimiterPostgres (table `auth_failure`),
 * which also remembers in memory which keys are blocked. A process learns of a block at
 * its next failure (the shared count is past the limit), so each process may let one
 * guess more through than the limit says.
 *
 * A block never refuses a credential that is right, as far as that can be known without
 * a query: a prefix block lets through the live credentials with that prefix (read once
 * when the block starts), and an IP block lets through credentials this process accepted
 * recently (and what the caller knows to be good, e.g. API keys the route cache holds).
 * Someone sharing an address with a guesser is therefore not locked out, and someone who
 * learnt a token's prefix (the dashboard shows prefixes) cannot lock its owner out.
 */
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { hashToken, tokenPrefix } from './tokens.ts';

export interface AuthAttempt {
  /** The client's address, as the HTTP layer determined it (see HOOKPOST_TRUST_PROXY). */
  ip: string;
  /** The credential presented: a token, an API key or a session secret. */
  credential: string;
}

export interface AuthThrottle {
  /** Seconds this attempt must wait before its credential is checked, or 0. Memory only. */
  wait(attempt: AuthAttempt): number;
  /** Counts a failed authentication; resolves with the seconds to wait when the attempt crossed a limit, else 0. */
  failed(attempt: AuthAttempt): Promise<number>;
  /** Remembers a credential that was accepted, so an IP block does not refuse it. */
  succeeded(credential: string): void;
}

/** How many accepted credentials a process remembers. */
const GOOD_CREDENTIALS = 10_000;

type Limits = Pick<Config, 'authFailuresPerIp' | 'authFailuresPerCredential' | 'authFailureWindowSeconds'>;

export function createAuthThrottle(options: {
  pool: pg.Pool;
  config: Limits;
  logger: Logger;
  /** Credentials known good without a query (by hash), besides those accepted recently. */
  knownGood?: (hash: Buffer) => boolean;
}): AuthThrottle {
  const { pool, config, logger } = options;
  const limiter = (keyPrefix: string, points: number) =>
    points > 0
      ? new RateLimiterPostgres({
          storeClient: pool,
          storeType: 'pool',
          tableName: 'auth_failure',
          tableCreated: true, // by our migrations
          keyPrefix,
          points,
          duration: config.authFailureWindowSeconds,
          // Past the limit, the key is blocked in memory until its window ends.
          inMemoryBlockOnConsumed: points + 1,
        })
      : null;
  const byIp = limiter('ip', config.authFailuresPerIp);
  const byPrefix = limiter('credential', config.authFailuresPerCredential);
  const good = new Map<string, true>();
  /** Hashes of the live credentials of each blocked prefix (null while being read). */
  const livePrefixes = new Map<string, { hashes: Set<string> | null; until: number }>();

  const blockedMs = (limit: RateLimiterPostgres | null, key: string): number =>
    limit
      ? (limit as unknown as { getInMemoryBlockMsBeforeExpire(rlKey: string): number }).getInMemoryBlockMsBeforeExpire(
          limit.getKey(key),
        )
      : 0;

  const readLivePrefix = (prefix: string, until: number): Promise<unknown> => {
    const entry: { hashes: Set<string> | null; until: number } = { hashes: null, until };
    livePrefixes.set(prefix, entry);
    return pool
      .query<{ hash: Buffer }>(
        `select hash from access_token where prefix = $1 and revoked_at is null
         union all
         select hash from api_key where prefix = $1 and (revoked_at is null or revoked_at > now())`,
        [prefix],
      )
      .then(({ rows }) => (entry.hashes = new Set(rows.map((row) => row.hash.toString('base64')))))
      .catch((error: unknown) =>
        logger.warn({ err: coerceError(error) }, 'Could not read the live credentials of a blocked prefix.'),
      );
  };

  const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

  return {
    wait({ ip, credential }) {
      const ipMs = blockedMs(byIp, ip);
      const prefix = tokenPrefix(credential);
      const prefixMs = blockedMs(byPrefix, prefix);
      if (ipMs <= 0 && prefixMs <= 0) return 0;
      const hash = hashToken(credential);
      const key = hash.toString('base64');
      const recentlyGood = good.has(key) || (options.knownGood?.(hash) ?? false);
      if (prefixMs > 0 && !recentlyGood && !livePrefixes.get(prefix)?.hashes?.has(key)) return seconds(prefixMs);
      if (ipMs > 0 && !recentlyGood) return seconds(ipMs);
      return 0;
    },

    async failed({ ip, credential }) {
      const prefix = tokenPrefix(credential);
      const counted = await Promise.allSettled([byIp?.consume(ip), byPrefix?.consume(prefix)]);
      let waitMs = 0;
      for (const [index, outcome] of counted.entries()) {
        if (outcome.status === 'fulfilled') continue;
        if (outcome.reason instanceof RateLimiterRes) {
          waitMs = Math.max(waitMs, outcome.reason.msBeforeNext);
          const entry = livePrefixes.get(prefix);
          // Read before answering, so the owner of the prefix is let through from now on.
          if (index === 1 && !(entry && entry.until > Date.now()))
            await readLivePrefix(prefix, Date.now() + outcome.reason.msBeforeNext);
        } else {
          // Counting is a safeguard: when the database cannot count, authentication goes on.
          logger.warn({ err: coerceError(outcome.reason) }, 'Could not count a failed authentication.');
        }
      }
      for (const [prefixKey, entry] of livePrefixes) if (entry.until <= Date.now()) livePrefixes.delete(prefixKey);
      return waitMs > 0 ? seconds(waitMs) : 0;
    },

    succeeded(credential) {
      const key = hashToken(credential).toString('base64');
      good.delete(key);
      good.set(key, true);
      // A Map keeps insertion order: the first keys are the least recently accepted.
      if (good.size > GOOD_CREDENTIALS) good.delete(good.keys().next().value!);
    },
  };
}
