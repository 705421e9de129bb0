/**
 * What an attempt keeps of a response: every header, and at most the first 20 KiB of
 * the body, as bytes (binary bodies survive). A larger body is cut off and the
 * connection dropped rather than downloaded.
 */
import type { Readable } from 'node:stream';

export const RESPONSE_BODY_CAP = 20 * 1024;

export async function readCapped(
  stream: Readable,
  cap = RESPONSE_BODY_CAP,
): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > cap) {
      chunks.push(buffer.subarray(0, cap - size));
      stream.destroy();
      return { body: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

export function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * The headers an attempt keeps: every custom header's value is replaced, whatever its
 * name, because receivers authenticate with custom headers under any name
 * (`X-Credentials`, `X-Pass`…) and attempts are shown to viewers. The endpoint keeps the
 * values sealed; an attempt only needs to show that they were sent.
 */
export function redactCustomHeaders(
  headers: Record<string, string>,
  customNames: Iterable<string>,
): Record<string, string> {
  const redacted = { ...headers };
  for (const name of customNames) {
    const lower = name.toLowerCase();
    if (lower in redacted) redacted[lower] = REDACTED;
  }
  return redacted;
}

export const REDACTED = '[redacted]';
