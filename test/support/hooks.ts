/**
 * The setup test files share, as vitest hooks: a fresh database, a Hookpost on it, and
 * receivers. Each `use…` call registers a beforeAll that starts its thing and an afterAll
 * that stops it, and returns a stand-in that acts as that thing once beforeAll has run
 * (using it earlier throws). Written at the top of a file:
 *
 *   const { db, hookpost } = useHookpost({ role: 'api' });
 *   const receiver = useReceiver({ status: 500 });
 *
 * Hooks start in the order the calls are written and stop in reverse (vitest's `stack`
 * order): a receiver made after Hookpost closes before Hookpost stops, so a hanging one
 * cannot hold Hookpost's shutdown drain, and the database goes last.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../server/config.ts';
import type { Logger } from '../../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startTestHookpost, type TestHookpost } from './hookpost.ts';
import { startReceiver, type Receiver, type Reply } from './receiver.ts';

/** A fresh database (cloned from the migrated template), dropped after the file. */
export function useTestDatabase(): TestDatabase {
  const db = late<TestDatabase>('the test database');
  beforeAll(async () => db.set(await createTestDatabase()));
  afterAll(async () => {
    await db.current()?.drop();
  });
  return db.standIn;
}

/**
 * A Hookpost (API and worker unless `overrides.role` says otherwise) with the test
 * settings of startTestHookpost, on its own fresh database or on `options.db`, logging
 * to `options.logger` if given.
 */
export function useHookpost(
  overrides: Partial<Config> = {},
  options: { db?: TestDatabase; logger?: Logger } = {},
): { db: TestDatabase; hookpost: TestHookpost } {
  const db = options.db ?? useTestDatabase();
  const hookpost = late<TestHookpost>('Hookpost');
  const { logger } = options;
  beforeAll(async () => hookpost.set(await startTestHookpost(db.url, overrides, logger ? { logger } : {})));
  afterAll(async () => {
    await hookpost.current()?.stop();
  });
  return { db, hookpost: hookpost.standIn };
}

/** A receiver on port 0 answering `initial` until the test says otherwise; closed after the file. */
export function useReceiver(initial?: Reply): Receiver {
  const receiver = late<Receiver>('the receiver');
  beforeAll(async () => receiver.set(await startReceiver(initial)));
  afterAll(async () => {
    await receiver.current()?.close();
  });
  return receiver.standIn;
}

/**
 * A value that exists only once a beforeAll has made it, and a stand-in for it that can
 * be handed out at the top of a file: every property read, call or check on the stand-in
 * goes to the value (methods bound to it).
 */
function late<T extends object>(what: string) {
  let value: T | undefined;
  const get = (): T => {
    if (!value) throw new Error(`${what} is used before its beforeAll started it.`);
    return value;
  };
  const standIn = new Proxy({} as T, {
    get(_, key) {
      const target = get();
      const property: unknown = Reflect.get(target, key, target);
      return typeof property === 'function' ? property.bind(target) : property;
    },
    set: (_, key, next) => Reflect.set(get(), key, next),
    has: (_, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor(_, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(get(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
  return {
    standIn,
    set(next: T) {
      value = next;
    },
    current: () => value,
  };
}
