/** The GraphQL documents of "Erase matching events": the count, starting, following and cancelling. */
import { graphql } from '../generated/gql.ts';

export const ErasureFields = graphql(`
  fragment ErasureFields on Erasure {
    id
    mailboxId
    status
    matched
    erased
    inFlight
    createdBy
    createdAt
    finishedAt
  }
`);

export const ErasurePreviewQuery = graphql(`
  query ErasurePreview($mailboxId: ID!, $filter: ErasureFilter) {
    erasurePreview(mailboxId: $mailboxId, filter: $filter)
    mailbox(id: $mailboxId) {
      id
      name
    }
  }
`);

export const StartErasureMutation = graphql(`
  mutation StartErasure($mailboxId: ID!, $filter: ErasureFilter, $everything: Boolean, $expectedCount: Int) {
    startErasure(mailboxId: $mailboxId, filter: $filter, everything: $everything, expectedCount: $expectedCount) {
      ...ErasureFields
    }
  }
`);

export const CancelErasureMutation = graphql(`
  mutation CancelErasure($id: ID!) {
    cancelErasure(id: $id) {
      ...ErasureFields
    }
  }
`);

export const ErasureQuery = graphql(`
  query Erasure($id: ID!) {
    erasure(id: $id) {
      ...ErasureFields
    }
  }
`);

export const ErasureUpdatedSubscription = graphql(`
  subscription ErasureUpdated($id: ID) {
    erasureUpdated(id: $id) {
      erasures {
        ...ErasureFields
      }
      skipped
      resync
    }
  }
`);
