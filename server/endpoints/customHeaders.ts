/**
 * The custom headers an endpoint sends with every delivery often carry the receiver's
 * credentials, so they are kept sealed (auth/secretBox.ts) as one JSON object: sealed
 * when an operator sets them, opened when they are shown to an operator and when a
 * delivery is sent.
 */
import type { SecretBox } from '../auth/secretBox.ts';

export type CustomHeaders = Record<string, string>;

/** Null when there are none, so an endpoint without custom headers stores nothing. */
export function sealCustomHeaders(secretBox: SecretBox, headers: CustomHeaders): Uint8Array<ArrayBuffer> | null {
  return Object.keys(headers).length ? new Uint8Array(secretBox.seal(JSON.stringify(headers))) : null;
}

export function openCustomHeaders(secretBox: SecretBox, sealed: Uint8Array | null): CustomHeaders {
  return sealed ? (JSON.parse(secretBox.open(Buffer.from(sealed))) as CustomHeaders) : {};
}
