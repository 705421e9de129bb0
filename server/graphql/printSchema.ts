/**
 * `npm run schema`: prints the schema, sorted, to schema.graphql, the committed contract
 * (test/graphql.schema-contract.test.ts fails when it drifts from the code).
 */
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema/index.ts';

export const schemaFile = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await fs.writeFile(schemaFile, printedSchema());
  console.log(`Wrote ${schemaFile}.`);
}
