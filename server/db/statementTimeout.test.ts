import { describe, expect, test } from 'vitest';
import { isStatementTimeout } from './statementTimeout.ts';

const pgTimeout = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });

describe('isStatementTimeout', () => {
  test('pg, Prisma and causes', () => {
    expect(isStatementTimeout(pgTimeout)).toBe(true);
    const prisma = Object.assign(new Error('Invalid `prisma.event.findMany()` invocation'), {
      code: 'P2010',
      meta: {
        driverAdapterError: Object.assign(new Error('x'), { cause: { code: '57014', message: pgTimeout.message } }),
      },
    });
    expect(isStatementTimeout(prisma)).toBe(true);
    expect(isStatementTimeout(new Error('outer', { cause: pgTimeout }))).toBe(true);
  });

  test('other errors, a cancellation by an operator included, are not timeouts', () => {
    expect(
      isStatementTimeout(Object.assign(new Error('canceling statement due to user request'), { code: '57014' })),
    ).toBe(false);
    expect(isStatementTimeout(new Error('boom'))).toBe(false);
    expect(isStatementTimeout('canceling')).toBe(false);
    expect(isStatementTimeout(null)).toBe(false);
  });
});
