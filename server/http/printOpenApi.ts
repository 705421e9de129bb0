/**
 * `npm run openapi`: writes the REST API's OpenAPI document to clients/openapi.json, the
 * committed contract the clients are generated from (test/api.openapi-contract.test.ts
 * fails when it drifts from the code). It builds the HTTP app without a database and
 * without listening: registering the routes only reads the configuration.
 */
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { fromRoot } from '../projectRoot.ts';
import type { Runtime } from '../runtime.ts';
import { createHttpApp } from './app.ts';

export const openApiFile = fromRoot('clients', 'openapi.json');

/** A stand-in for a part of the runtime the document does not need: using it is a mistake, and says so. */
function unused(name: string): unknown {
  const fail = () => {
    throw new Error(`Printing the OpenAPI document uses no ${name}: routes must not use it while they register.`);
  };
  // Handing it over is fine (an object keeps it for later); touching it is not. `then` is
  // read by whoever awaits a value, so it reads as absent.
  return new Proxy(function unusedPart() {}, {
    get: (_target, key) => (key === 'then' ? undefined : fail()),
    apply: fail,
    construct: fail,
  });
}

/**
 * The configuration, a logger and a pool that never connects (the auth gate keeps one for
 * later); every other part of the runtime is `unused`.
 */
function registrationOnly(): { runtime: Runtime; pool: pg.Pool } {
  const pool = new pg.Pool({ max: 1 });
  const known = { config: loadConfig({}), logger: createLogger({ level: 'silent', pretty: false }), pool };
  const runtime = new Proxy(known, {
    get: (target, key) => (key in target ? target[key as keyof typeof target] : unused(String(key))),
  }) as unknown as Runtime;
  return { runtime, pool };
}

export async function printedOpenApi(): Promise<string> {
  const { runtime, pool } = registrationOnly();
  try {
    const app = await createHttpApp(runtime);
    try {
      await app.ready();
      return `${JSON.stringify(app.swagger(), null, 2)}\n`;
    } finally {
      await app.close();
    }
  } finally {
    await pool.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await fs.writeFile(openApiFile, await printedOpenApi());
  console.log(`Wrote ${openApiFile}.`);
}
