import { describe, expect, test } from 'vitest';
import { exportEvents, toLines, type ExportedEvent } from './exportEvents.ts';

const event = (n: number, patch: Partial<ExportedEvent> = {}): ExportedEvent => ({
  trackingNumber: `t${n}`,
  receivedAt: '2026-11-28T10:00:00.000Z',
  eventType: 'order.created',
  status: 'delivered',
  mailbox: { id: 'm1', name: 'Orders' },
  attemptCount: 1,
  deliveryCount: 1,
  lastAttemptAt: null,
  contentType: 'application/json',
  body: '{"order_id":"ORD-1"}',
  bodyEncoding: 'utf8',
  ...patch,
});

describe('exporting events', () => {
  test('NDJSON: one object per line, the body as received', () => {
    const lines = toLines([event(1)], 'ndjson')
      .trim()
      .split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      tracking_number: 't1',
      body: '{"order_id":"ORD-1"}',
      last_attempt_at: null,
    });
  });

  test('CSV: quotes and line breaks survive, and a formula is not run by a spreadsheet', () => {
    const line = toLines([event(1, { eventType: '=HYPERLINK("x")', body: 'a,"b"\nc' })], 'csv');
    expect(line).toContain(`"'=HYPERLINK(""x"")"`);
    expect(line).toContain('"a,""b""\nc"');
    expect(line.endsWith('\r\n')).toBe(true);
  });

  test('pages through the whole list, reports progress, stops at the limit', async () => {
    const pages = [[event(1), event(2)], [event(3), event(4)], [event(5)]];
    const progress: number[] = [];
    const fetchPage = async (after: string | null) => {
      const index = after === null ? 0 : Number(after);
      return { rows: pages[index]!, hasNextPage: index < pages.length - 1, endCursor: String(index + 1) };
    };
    const all = await exportEvents(fetchPage, 'csv', {
      maxEvents: 100,
      signal: new AbortController().signal,
      onProgress: (n) => progress.push(n),
    });
    expect(all.count).toBe(5);
    expect(all.complete).toBe(true);
    expect(progress).toEqual([2, 4, 5]);
    expect((await all.blob.text()).split('\r\n').filter(Boolean)).toHaveLength(6);
    const some = await exportEvents(fetchPage, 'ndjson', {
      maxEvents: 3,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(some).toMatchObject({ count: 3, complete: false });
  });

  test('a cancelled export stops', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      exportEvents(async () => ({ rows: [event(1)], hasNextPage: true, endCursor: '1' }), 'ndjson', {
        maxEvents: 10,
        signal: controller.signal,
        onProgress: () => {},
      }),
    ).rejects.toThrow(/cancelled/);
  });

  test('a page refused as too large is asked for again half as large; other errors end the export', async () => {
    const all = Array.from({ length: 60 }, (_, i) => event(i));
    const asked: number[] = [];
    const tooLarge = Object.assign(new Error('[GraphQL] too many body bytes'), {
      graphQLErrors: [{ extensions: { code: 'query_too_complex' } }],
    });
    const fetchPage = async (after: string | null, first: number) => {
      asked.push(first);
      if (first > 25) throw tooLarge;
      const from = after === null ? 0 : Number(after);
      const rows = all.slice(from, from + first);
      return { rows, hasNextPage: from + first < all.length, endCursor: String(from + first) };
    };
    const done = await exportEvents(fetchPage, 'ndjson', {
      maxEvents: 1_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    });
    expect(done).toMatchObject({ count: 60, complete: true });
    expect(asked).toEqual([100, 50, 25, 25, 25]);
    const lines = (await done.blob.text()).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).tracking_number)).toEqual(all.map((e) => e.trackingNumber));

    const broken = async () => {
      throw Object.assign(new Error('down'), { graphQLErrors: [{ extensions: { code: 'unavailable' } }] });
    };
    await expect(
      exportEvents(broken, 'csv', { maxEvents: 10, signal: new AbortController().signal, onProgress: () => {} }),
    ).rejects.toThrow('down');
  });
});
