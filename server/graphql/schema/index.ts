/** The GraphQL schema: every type file registers itself on the builder; this builds it. */
import { isObjectType } from 'graphql';
import { builder } from '../builder.ts';
import './root.ts';
import './dateTime.ts';
import './header.ts';
import './retryPolicy.ts';
import './mailbox.ts';
import './apiKey.ts';
import './endpointHealth.ts';
import './endpointInput.ts';
import './endpoint.ts';
import './eventStatus.ts';
import './eventFilter.ts';
import './event.ts';
import './delivery.ts';
import './attempt.ts';
import './retry.ts';
import './resend.ts';
import './testEvent.ts';
import './stats.ts';
import './accessToken.ts';
import './auditEntry.ts';
import './operator.ts';
import './eventReceived.ts';
import './deliveryUpdated.ts';
import './replay.ts';
import './erasure.ts';

export const schema = builder.toSchema();

// plugin-prisma's `totalCount: true` adds the field without a way to describe it.
for (const type of Object.values(schema.getTypeMap())) {
  const totalCount = isObjectType(type) ? type.getFields()['totalCount'] : undefined;
  if (totalCount && !totalCount.description)
    totalCount.description = 'How many items the whole list has, over all pages.';
}
