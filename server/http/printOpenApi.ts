/**
 * `npm run openapi`: writes the REST API's OpenAPI document to clients/openapi.json, the
 * committed contract the clients are generated from (test/api.openapi-contract.test.ts
 * fails when it drifts from the code). It builds the HTTP app without a database and
 * without listening: registering the routes reads only the configuration.
 */
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { fromRoot } from '../projectRoot.ts';
import type { Runtime } from '../runtime.ts';
import { createHttpApp } from './app.ts';

export const openApiFile = fromRoot('clients', 'openapi.json');

/** A runtime with the configuration and a logger only: any other part asked for while routes register is a mistake. */
function registrationOnly(): Runtime {
  const known = { config: loadConfig({}), logger: createLogger({ level: 'silent', pretty: false }) };
  return new Proxy(known, {
    get(target, key) {
      if (key in target) return target[key as keyof typeof target];
      throw new Error(
        `Printing the OpenAPI document needs no ${String(key)}: routes must not use it while they register.`,
      );
    },
  }) as unknown as Runtime;
}

export async function printedOpenApi(): Promise<string> {
  const app = await createHttpApp(registrationOnly());
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await fs.writeFile(openApiFile, await printedOpenApi());
  console.log(`Wrote ${openApiFile}.`);
}
