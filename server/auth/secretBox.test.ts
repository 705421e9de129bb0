import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { createSecretBox } from './secretBox.ts';

describe('secretBox', () => {
  test('opens what it sealed, and the sealed bytes do not contain the secret', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=');
    expect(sealed.toString('utf8')).not.toContain('whsec_');
    expect(box.open(sealed)).toBe('whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=');
  });

  test('sealing twice gives different bytes (random IV)', () => {
    const box = createSecretBox(randomBytes(32));
    expect(box.seal('x').equals(box.seal('x'))).toBe(false);
  });

  test('a different key cannot open it', () => {
    const sealed = createSecretBox(randomBytes(32)).seal('whsec_abc');
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  test('tampering is detected', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('whsec_abc');
    sealed[sealed.length - 1]! ^= 1;
    expect(() => box.open(sealed)).toThrow();
  });
});
