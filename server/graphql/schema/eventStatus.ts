/** EventStatus: where an event stands, derived from its deliveries. */
import type { eventStatuses } from '../../events/statuses.ts';
import { builder } from '../builder.ts';

export const EventStatus = builder.enumType('EventStatus', {
  description: 'Where an event stands, derived from its deliveries.',
  values: {
    queued: { description: 'No attempt made yet.' },
    delivering: { description: 'At least one attempt made and at least one delivery not finished.' },
    delivered: { description: 'Every delivery delivered (cancelled ones aside).' },
    failed: { description: 'Every delivery finished and at least one failed.' },
    cancelled: { description: 'Every delivery was cancelled.' },
    unrouted: { description: "No endpoint of the mailbox accepted the event's type: stored, not delivered." },
  } satisfies Record<(typeof eventStatuses)[number], { description: string }>,
});
