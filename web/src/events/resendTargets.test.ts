import { describe, expect, test } from 'vitest';
import { resendChoices, type ResendTarget } from './resendTargets.ts';

const endpoint = (id: string, patch: Partial<ResendTarget> = {}): ResendTarget => ({
  id,
  url: `https://${id}.example/hook`,
  description: '',
  enabled: true,
  eventTypes: [],
  ...patch,
});

describe('where an event may be resent', () => {
  test('a disabled endpoint, or one with a delivery on its way, cannot be picked, and says why', () => {
    const [disabled, busy, done] = resendChoices([endpoint('a', { enabled: false }), endpoint('b'), endpoint('c')], {
      eventType: 'order.created',
      deliveries: [
        { endpointId: 'b', status: 'delivering' },
        { endpointId: 'c', status: 'delivered' },
      ],
    });
    expect(disabled!.blocked).toMatch(/disabled/);
    expect(busy!.blocked).toMatch(/on its way/);
    expect(done).toMatchObject({ blocked: null, note: 'sent again, as a new delivery' });
  });

  test('an endpoint whose filter would not take the event is offered, saying it gets it anyway', () => {
    const [invoices, orders] = resendChoices(
      [endpoint('a', { eventTypes: ['invoice.*'] }), endpoint('b', { eventTypes: ['order.*'] })],
      { eventType: 'order.created', deliveries: [] },
    );
    expect(invoices).toMatchObject({ blocked: null, note: expect.stringMatching(/gets it anyway/) });
    expect(orders).toMatchObject({ blocked: null, note: 'it never got this event' });
  });
});
