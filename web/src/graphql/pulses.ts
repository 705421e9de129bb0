/**
 * The two lightest live feeds: they carry no rows, only "something happened" (and whether
 * changes were left out). Views that show statistics read them again when they fire.
 */
import { graphql } from '../generated/gql.ts';

export const EventsPulse = graphql(`
  subscription EventsPulse($mailboxId: ID) {
    eventReceived(mailboxId: $mailboxId) {
      skipped
      resync
    }
  }
`);

export const DeliveriesPulse = graphql(`
  subscription DeliveriesPulse($mailboxId: ID) {
    deliveryUpdated(mailboxId: $mailboxId) {
      skipped
      resync
    }
  }
`);
