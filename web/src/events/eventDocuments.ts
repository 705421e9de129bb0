/** The GraphQL documents of the events list: one row's fields, the page query and the two live feeds. */
import { graphql } from '../generated/gql.ts';

export const EventRowFields = graphql(`
  fragment EventRowFields on Event {
    id
    trackingNumber
    receivedAt
    eventType
    status
    attemptCount
    lastAttemptAt
    deliveryCount
    mailbox {
      id
      name
    }
    deliveries(first: 5) {
      totalCount
      edges {
        node {
          id
          status
          lastStatusCode
          lastAttemptAt
          endpoint {
            id
            url
          }
        }
      }
    }
  }
`);

export const EventsPageQuery = graphql(`
  query EventsPage($filter: EventFilter, $first: Int!, $after: String) {
    events(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          ...EventRowFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const EventsReceivedSubscription = graphql(`
  subscription EventsReceived($mailboxId: ID) {
    eventReceived(mailboxId: $mailboxId) {
      events {
        ...EventRowFields
      }
      skipped
      resync
    }
  }
`);

export const EventRowsUpdatedSubscription = graphql(`
  subscription EventRowsUpdated($mailboxId: ID) {
    deliveryUpdated(mailboxId: $mailboxId) {
      updates {
        delivery {
          id
          event {
            ...EventRowFields
          }
        }
      }
      skipped
      resync
    }
  }
`);

export const FilterChoicesQuery = graphql(`
  query FilterChoices {
    mailboxes(first: 100) {
      edges {
        node {
          id
          name
          endpoints(first: 100) {
            edges {
              node {
                id
                url
              }
            }
          }
        }
      }
    }
  }
`);

export const ExportEventsQuery = graphql(`
  query ExportEvents($filter: EventFilter, $after: String, $first: Int!) {
    events(filter: $filter, first: $first, after: $after) {
      edges {
        node {
          trackingNumber
          receivedAt
          eventType
          status
          attemptCount
          deliveryCount
          lastAttemptAt
          contentType
          body
          bodyEncoding
          mailbox {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
