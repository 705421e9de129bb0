/**
 * Named component schemas for the OpenAPI document, from the zod schemas registered with
 * an id (`.meta({ id })` in schemas.ts). fastify-type-provider-zod lists every
 * registered schema twice, as an input (`CreateMailboxInput`) and as an output
 * (`Mailbox`); only those the document refers to are kept, so no component is unused.
 */
import type { SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';

const REF_PREFIX = '#/components/schemas/';

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) collectRefs(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith(REF_PREFIX))
        into.add(child.slice(REF_PREFIX.length));
      else collectRefs(child, into);
    }
  }
}

export const usedComponentSchemas: SwaggerTransformObject = (document) => {
  const full = jsonSchemaTransformObject(document) as {
    components?: { schemas?: Record<string, unknown> };
    [key: string]: unknown;
  };
  const schemas = full.components?.schemas ?? {};
  const used = new Set<string>();
  collectRefs({ ...full, components: { ...full.components, schemas: {} } }, used);
  // Components refer to components: follow them until nothing new turns up.
  for (let before = -1; before !== used.size;) {
    before = used.size;
    for (const name of [...used]) collectRefs(schemas[name], used);
  }
  const kept = Object.fromEntries(
    Object.keys(schemas)
      .filter((name) => used.has(name))
      .sort()
      .map((name) => [name, schemas[name]]),
  );
  return { ...full, components: { ...full.components, schemas: kept } } as ReturnType<SwaggerTransformObject>;
};
