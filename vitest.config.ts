import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) copies. Node, and so the libraries vitest
    // leaves to Node (yoga, Pothos), load the CJS one; make the code vitest transforms
    // load the same file, or schema objects fail graphql's one-realm checks.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    // web/src: the dashboard's unit and component tests (component files pick happy-dom with
    // a `@vitest-environment` comment; the rest run in Node like the server's). clients/:
    // the TypeScript client's unit tests (its tests against a real Hookpost are in test/).
    include: [
      'server/**/*.test.ts',
      'test/**/*.test.ts',
      'web/src/**/*.test.{ts,tsx}',
      'clients/typescript/src/**/*.test.ts',
    ],
    globalSetup: ['test/support/globalSetup.ts'],
    // Fails a file that leaves a Hookpost, a Hookpost process or a receiver running.
    setupFiles: ['test/support/leakGuard.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores, and many files start real processes (workers, a browser): two files at a
    // time keeps timing-sensitive tests (retry schedules, live updates) honest.
    maxWorkers: 2,
  },
});
