import { describe, expect, test } from 'vitest';
import { describeAuditEntry, parseSummary } from './auditWording.ts';

describe('audit entries in words', () => {
  test('each action reads as a sentence made from its summary', () => {
    expect(describeAuditEntry('access_token.create', { name: 'ci', role: 'operator', expiresAt: null })).toBe(
      'Created access token “ci” with the operator role, never expiring',
    );
    expect(
      describeAuditEntry('access_token.create', { name: 'bot', role: 'viewer', expiresAt: '2027-01-01T13:35:01.000Z' }),
    ).toBe('Created access token “bot” with the viewer role, expiring 2027-01-01');
    expect(describeAuditEntry('mailbox.update', { name: 'Orders', previousName: 'Order' })).toBe(
      'Renamed mailbox “Order” to “Orders”',
    );
    expect(describeAuditEntry('endpoint.update', { url: 'https://x', headers: { names: ['X-A'] } })).toBe(
      'Changed endpoint: URL, custom headers',
    );
    expect(describeAuditEntry('event.retry', { deliveryIds: ['a', 'b'] })).toBe(
      'Retried event: 2 deliveries queued again',
    );
    expect(describeAuditEntry('event.retry', { deliveryIds: ['a'] })).toBe('Retried event: 1 delivery queued again');
    expect(describeAuditEntry('erasure.start', { matched: 3, filter: {} })).toBe(
      'Started erasing 3 matching events of a mailbox',
    );
    expect(describeAuditEntry('session.sign_in_refused', { ip: '10.0.0.1' })).toBe('Refused a sign-in from 10.0.0.1');
  });

  test('an action it does not know shows by its name; a bad summary reads as empty', () => {
    expect(describeAuditEntry('mailbox.explode', {})).toBe('mailbox.explode');
    expect(parseSummary('not json')).toEqual({});
    expect(parseSummary('{"name":"A"}')).toEqual({ name: 'A' });
  });
});
