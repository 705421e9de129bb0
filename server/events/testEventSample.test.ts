import { describe, expect, test } from 'vitest';
import { isSampleBody, sampleBody } from './testEventSample.ts';

describe('the sample body of a test event', () => {
  test('is made for its type and endpoint, with the time it was sent', () => {
    expect(JSON.parse(sampleBody('hookpost.test', 'ep1', new Date('2026-12-03T10:00:00.000Z')).toString())).toEqual({
      event: 'hookpost.test',
      data: { message: 'A test event from Hookpost.', endpoint_id: 'ep1', sent_at: '2026-12-03T10:00:00.000Z' },
    });
  });

  test('is recognised whenever it was sent, for its type and endpoint only', () => {
    const sample = Buffer.from(
      JSON.stringify({
        event: 'hookpost.test',
        data: { message: 'A test event from Hookpost.', endpoint_id: 'ep1', sent_at: '2026-12-03T10:00:00.000Z' },
      }),
    );
    expect(isSampleBody(sample, 'hookpost.test', 'ep1')).toBe(true);
    expect(isSampleBody(sample, 'hookpost.test', 'ep2')).toBe(false);
    expect(isSampleBody(sample, 'order.created', 'ep1')).toBe(false);
    expect(isSampleBody(Buffer.from(sample.toString().replace('Hookpost.', 'Hookpost!')), 'hookpost.test', 'ep1')).toBe(
      false,
    );
    expect(isSampleBody(Buffer.from('{"data":{"sent_at":"not a time"}}'), 'hookpost.test', 'ep1')).toBe(false);
    expect(isSampleBody(Buffer.from('not json'), 'hookpost.test', 'ep1')).toBe(false);
  });
});
