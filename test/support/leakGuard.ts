/**
 * A setup file (vitest.config.ts): after each test file, everything test/support started
 * for it must have stopped. One left running would hold a port, a database connection or
 * a worker into the next file's time; here it fails the file that left it, by name, and
 * is stopped. Registered before the file's own hooks, this afterAll runs after all of them.
 */
import { afterAll } from 'vitest';
import { stopLeftovers } from './running.ts';

afterAll(async () => {
  const leaked = await stopLeftovers();
  if (leaked.length > 0)
    throw new Error(
      `This test file left running: ${leaked.join('; ')}. Stop each in an afterAll (useHookpost and useReceiver do).`,
    );
});
