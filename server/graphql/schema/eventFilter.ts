/** EventFilter: what `Query.events` can narrow the history to. */
import { z } from 'zod';
import { eventSearchSchema } from '../../events/eventSearch.ts';
import { builder } from '../builder.ts';
import { withoutNulls } from '../withoutNulls.ts';
import { EventStatus } from './eventStatus.ts';

export const PayloadFieldMatch = builder.inputType('PayloadFieldMatch', {
  description: "A JSON event's field and the value it must equal.",
  fields: (t) => ({
    path: t.string({
      required: true,
      description:
        'Keys from the top joined by dots (`data.order_id`); array items take their array path (`items.sku`).',
    }),
    equals: t.string({
      required: true,
      description: 'The value: a string, or the text of a number, boolean or null (`100` finds `"100"` and `100`).',
    }),
  }),
});

export const EventFilter = builder
  .inputType('EventFilter', {
    description:
      'Narrows the event history; every filter given must match. Time filters use the time in the tracking number: when Hookpost accepted the event.',
    fields: (t) => ({
      trackingNumbers: t.idList({
        description: 'Only these events (at most 100): how a client refreshes rows it already shows.',
      }),
      mailboxId: t.id({ description: 'Only events sent to this mailbox.' }),
      endpointId: t.id({ description: 'Only events with a delivery to this endpoint.' }),
      status: t.field({ type: [EventStatus], description: 'Only events with one of these statuses.' }),
      eventTypes: t.stringList({
        description:
          'Only events whose type matches one of these names or patterns; `*` matches any run of characters (`order.*`, `*.failed`).',
      }),
      receivedSince: t.field({ type: 'DateTime', description: 'Only events accepted at or after this moment.' }),
      receivedUntil: t.field({ type: 'DateTime', description: 'Only events accepted before this moment.' }),
      payload: t.field({
        type: [PayloadFieldMatch],
        description:
          'Only JSON events whose fields equal these values (all of them), through an index. Fields deeper than 8 levels, past the first 200, or longer than 300 characters are not searchable.',
      }),
      deliveryStatusCode: t.int({
        description: 'Only events with a delivery whose latest attempt got this HTTP status.',
      }),
      deliveryErrorKind: t.string({
        description:
          'Only events with a delivery whose latest attempt failed this way (timeout, connection_refused, http_status…).',
      }),
      trackingNumberPrefix: t.string({
        description: 'Only events whose tracking number starts with these hexadecimal digits (hyphens optional).',
      }),
    }),
  })
  // The search service's own rules, so mistakes name the input path.
  .validate(z.preprocess(withoutNulls, eventSearchSchema));
