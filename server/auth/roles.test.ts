import { describe, expect, test } from 'vitest';
import { authorize, hasRole, type Actor } from './roles.ts';

const as = (role: Actor['role']): Actor => ({ tokenId: 't', name: 'n', role });

describe('roles', () => {
  test('a role includes the roles below it', () => {
    expect(hasRole(as('admin'), 'operator')).toBe(true);
    expect(hasRole(as('operator'), 'viewer')).toBe(true);
    expect(hasRole(as('operator'), 'admin')).toBe(false);
    expect(hasRole(as('viewer'), 'operator')).toBe(false);
    expect(hasRole(null, 'viewer')).toBe(false);
  });

  test('authorize tells an anonymous caller to sign in and a low role that it is too low', () => {
    expect(() => authorize(null, 'viewer')).toThrow(expect.objectContaining({ code: 'unauthenticated', status: 401 }));
    expect(() => authorize(as('viewer'), 'operator')).toThrow(
      expect.objectContaining({ code: 'forbidden', status: 403 }),
    );
    expect(() => authorize(as('admin'), 'admin')).not.toThrow();
  });
});
