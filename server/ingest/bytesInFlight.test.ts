import { describe, expect, test } from 'vitest';
import { createBytesInFlight } from './bytesInFlight.ts';

describe('bytes in flight', () => {
  test('bodies are let in while they fit, and again once given back', () => {
    const budget = createBytesInFlight(100);
    expect(budget.tryTake(60)).toBe(true);
    expect(budget.tryTake(50)).toBe(false);
    expect(budget.taken).toBe(60);
    expect(budget.tryTake(40)).toBe(true);
    budget.give(60);
    expect(budget.tryTake(50)).toBe(true);
    expect(budget.taken).toBe(90);
  });

  test('a single body larger than the budget still gets through when nothing else is in flight', () => {
    const budget = createBytesInFlight(100);
    expect(budget.tryTake(150)).toBe(true);
    expect(budget.tryTake(1)).toBe(false);
    budget.give(150);
    expect(budget.taken).toBe(0);
  });
});
