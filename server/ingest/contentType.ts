/**
 * Which request bodies an event may have. JSON (application/json and the +json types)
 * is parsed to check it and to read the event type; a few text formats are accepted as
 * they are. Anything else is refused with 415, and a body over the configured size with
 * 413. Bodies are stored and delivered byte for byte, with the content type they came
 * with.
 */
import { AppError } from '../errors.ts';

export type BodyFormat = 'json' | 'text';

const TEXT_TYPES = new Set(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'text/xml']);

/** A Content-Type's media type, without its parameters, in lower case. */
const mediaTypeOf = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/** The format of a Content-Type header value, or null when Hookpost does not accept it. */
export function bodyFormat(contentType: string | undefined): BodyFormat | null {
  if (!contentType) return null;
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return 'json';
  if (TEXT_TYPES.has(mediaType) || /^application\/[a-z0-9.+-]+\+xml$/.test(mediaType)) return 'text';
  return null;
}

/**
 * A Content-Type as media types compare: type and parameter names in any case, spaces
 * around `;` and `=` aside, a charset's value in any case (`application/json;
 * charset=UTF-8` is `application/json;charset=utf-8`).
 */
export function canonicalContentType(contentType: string): string {
  const [, ...parameters] = contentType.split(';');
  return [
    mediaTypeOf(contentType),
    ...parameters.map((parameter) => {
      const at = parameter.indexOf('=');
      const name = (at < 0 ? parameter : parameter.slice(0, at)).trim().toLowerCase();
      const value = at < 0 ? '' : parameter.slice(at + 1).trim();
      return `${name}=${name === 'charset' ? value.toLowerCase() : value}`;
    }),
  ].join(';');
}

export const acceptedContentTypes =
  'application/json, application/*+json, text/plain, application/x-www-form-urlencoded, application/xml, text/xml, application/*+xml';

/** Refuses a body over `maxBytes` (413), for ingested and test events alike. */
export function assertBodySize(body: Buffer, maxBytes: number): void {
  if (body.length > maxBytes) throw new AppError('payload_too_large', `The body is larger than ${maxBytes} bytes.`);
}
