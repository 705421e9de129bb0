import { describe, expect, test } from 'vitest';
import { acceptsEventType, filterProblem } from './eventFilter.ts';

describe('event-type filters', () => {
  test('an empty filter accepts everything, typed or not', () => {
    expect(acceptsEventType([], 'order.created')).toBe(true);
    expect(acceptsEventType([], null)).toBe(true);
  });

  test('exact names match only themselves', () => {
    expect(acceptsEventType(['order.created'], 'order.created')).toBe(true);
    expect(acceptsEventType(['order.created'], 'order.createdX')).toBe(false);
    expect(acceptsEventType(['order.created'], 'orderXcreated')).toBe(false);
  });

  test('wildcards match any run of characters', () => {
    expect(acceptsEventType(['order.*'], 'order.created')).toBe(true);
    expect(acceptsEventType(['order.*'], 'order.item.added')).toBe(true);
    expect(acceptsEventType(['order.*'], 'invoice.paid')).toBe(false);
    expect(acceptsEventType(['*.failed'], 'payment.failed')).toBe(true);
    expect(acceptsEventType(['*'], 'anything')).toBe(true);
  });

  test('a non-empty filter does not accept untyped events', () => {
    expect(acceptsEventType(['order.*'], null)).toBe(false);
  });

  test('any matching pattern is enough', () => {
    expect(acceptsEventType(['invoice.paid', 'order.*'], 'order.shipped')).toBe(true);
  });

  test('patterns are validated', () => {
    expect(filterProblem(['order.*', 'invoice.paid'])).toBeNull();
    expect(filterProblem(['order created'])).toMatch(/not an event type/);
    expect(filterProblem([''])).toMatch(/not an event type/);
    expect(filterProblem(['a'.repeat(256)])).toMatch(/not an event type/);
  });
});
