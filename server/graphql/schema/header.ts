/** An HTTP header, as a name and a value: request, response and custom endpoint headers. */
import { z } from 'zod';
import { headersSchema } from '../../endpoints/endpointInput.ts';
import { builder } from '../builder.ts';

export interface HeaderShape {
  name: string;
  value: string;
}

export const Header = builder.simpleObject('Header', {
  description: 'An HTTP header.',
  fields: (t) => ({
    name: t.string({ description: 'The header name (lower case for recorded requests and responses).' }),
    value: t.string({ description: 'The header value.' }),
  }),
});

export const HeaderInput = builder.inputType('HeaderInput', {
  description: 'A custom HTTP header sent with every delivery of an endpoint.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The header name, e.g. `Authorization` or `X-Team`.' }),
    value: t.string({
      required: true,
      description: 'The header value (stored encrypted; at most 4096 characters, no line breaks).',
    }),
  }),
});

/** Stored JSON headers (an object of strings) as a list, sorted by name for stable output. */
export function headerList(headers: unknown): HeaderShape[] {
  if (!headers || typeof headers !== 'object') return [];
  return Object.entries(headers as Record<string, unknown>)
    .map(([name, value]) => ({ name, value: String(value) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A list of headers from GraphQL as the object the endpoint service takes. */
export function headerRecord(list: readonly HeaderShape[]): Record<string, string> {
  return Object.fromEntries(list.map((header) => [header.name, header.value]));
}

/** The endpoint service's header rules, plus: a name may appear once (case-insensitively). */
export const headerListSchema = z
  .array(z.object({ name: z.string(), value: z.string() }))
  .superRefine((list, ctx) => {
    const seen = new Map<string, string>();
    for (const { name } of list) {
      const earlier = seen.get(name.toLowerCase());
      if (earlier !== undefined)
        ctx.addIssue({ code: 'custom', path: [name], message: `is the same header as ${earlier} (names ignore case)` });
      else seen.set(name.toLowerCase(), name);
    }
  })
  .transform((list) => headerRecord(list))
  .pipe(headersSchema)
  .transform((record) => Object.entries(record).map(([name, value]) => ({ name, value })));
