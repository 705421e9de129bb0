import { describe, expect, test } from 'vitest';
import { generateToken, hashToken, tokenPrefix } from './tokens.ts';

describe('tokens', () => {
  test('an API key carries 256 random bits after its kind', () => {
    const key = generateToken('hpk');
    expect(key).toMatch(/^hpk_[A-Za-z0-9_-]{43}$/);
    expect(generateToken('hpk')).not.toBe(key);
  });

  test('the stored form is a 32-byte SHA-256 hash, stable for one token', () => {
    const token = generateToken('hpt');
    expect(hashToken(token)).toHaveLength(32);
    expect(hashToken(token).equals(hashToken(token))).toBe(true);
    expect(hashToken(token).toString('utf8')).not.toContain(token.slice(4));
  });

  test('the prefix shows the kind and a few characters only', () => {
    const token = generateToken('hpk');
    expect(tokenPrefix(token)).toBe(token.slice(0, 12));
  });
});
