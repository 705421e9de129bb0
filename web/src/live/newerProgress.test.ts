import { describe, expect, test } from 'vitest';
import { newerProgress } from './newerProgress.ts';

type Snapshot = { status: string; done: number };
const newer = newerProgress<Snapshot>((snapshot) => snapshot.done);

describe('the newer snapshot of a job that only moves forward', () => {
  test('the later one wins when it is as far or further', () => {
    const a = { status: 'running', done: 10 };
    const b = { status: 'running', done: 20 };
    expect(newer(a, b)).toBe(b);
    expect(newer(b, { status: 'running', done: 20 })).not.toBe(b);
  });

  test('a later one that is behind loses, unless it has ended', () => {
    const a = { status: 'running', done: 20 };
    expect(newer(a, { status: 'running', done: 10 })).toBe(a);
    const ended = { status: 'cancelled', done: 10 };
    expect(newer(a, ended)).toBe(ended);
  });

  test('one still running never replaces one that ended', () => {
    const finished = { status: 'finished', done: 5 };
    expect(newer(finished, { status: 'running', done: 50 })).toBe(finished);
  });
});
