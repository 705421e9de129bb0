/**
 * Bearer secrets: producer API keys (`hpk_…`), operator access tokens (`hpt_…`) and
 * dashboard session cookies (`hps_…`).
 * 256 random bits each. Only a SHA-256 hash is stored: the secrets are random and long,
 * so a fast hash is enough (no password stretching needed) and lookups stay one
 * indexed equality.
 */
import { hash, randomBytes } from 'node:crypto';

export type TokenKind = 'hpk' | 'hpt' | 'hps';

export function generateToken(kind: TokenKind): string {
  return `${kind}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  // One-shot hash: half the cost of a Hash object, and every ingest request pays it.
  return hash('sha256', token, 'buffer');
}

/** What people see to recognise a token: its kind and first characters. */
export function tokenPrefix(token: string): string {
  return token.slice(0, 12);
}
