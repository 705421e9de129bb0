import { describe, expect, test } from 'vitest';
import { summarizeAlert } from './alertSummary.ts';

const body = (type: string, data: Record<string, unknown>) =>
  JSON.stringify({ type, occurred_at: '2026-12-02T14:00:00.000Z', data });

describe('an alert in a line', () => {
  test('a circuit that opened: the endpoint and the reason', () => {
    expect(
      summarizeAlert(
        'endpoint.circuit_opened',
        body('endpoint.circuit_opened', {
          endpoint_id: 'e1',
          mailbox_id: 'm1',
          url: 'https://example.com/hook',
          reason: '2 failures in a row (last: HTTP 500).',
        }),
      ),
    ).toEqual({
      title: 'Circuit opened',
      endpointId: 'e1',
      url: 'https://example.com/hook',
      eventId: null,
      detail: '2 failures in a row (last: HTTP 500).',
      bad: true,
    });
  });

  test('an exhausted delivery, an enabled endpoint and a finished replay say their figures', () => {
    expect(
      summarizeAlert(
        'delivery.exhausted',
        body('delivery.exhausted', {
          endpoint_id: 'e1',
          attempts: 3,
          last_status_code: 503,
          last_error_kind: 'http_status',
        }),
      ).detail,
    ).toBe('3 attempts, last: HTTP 503');
    expect(summarizeAlert('endpoint.enabled', body('endpoint.enabled', { enabled_by: 'ada' })).detail).toBe('By ada.');
    expect(
      summarizeAlert('replay.finished', body('replay.finished', { total: 30, processed: 30, requeued: 28 })).detail,
    ).toBe('28 of 30 failed deliveries put back in line.');
  });

  test('an unknown type or a body that is not JSON still gets a line', () => {
    expect(summarizeAlert('endpoint.renamed', 'not json')).toEqual({
      title: 'endpoint.renamed',
      endpointId: null,
      url: null,
      eventId: null,
      detail: null,
      bad: false,
    });
  });
});

test('an exhausted delivery links its event and its endpoint', () => {
  const summary = summarizeAlert(
    'delivery.exhausted',
    JSON.stringify({ type: 'delivery.exhausted', data: { endpoint_id: 'e1', event_id: 'ev1', attempts: 1 } }),
  );
  expect([summary.endpointId, summary.eventId, summary.url]).toEqual(['e1', 'ev1', null]);
});
