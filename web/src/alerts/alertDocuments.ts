/** The GraphQL documents of the alerts feed: the system mailbox and its events, newest first. */
import { graphql } from '../generated/gql.ts';

export const AlertsQuery = graphql(`
  query Alerts($first: Int, $after: String, $last: Int, $before: String) {
    systemMailbox {
      id
      name
      endpoints(first: 1) {
        totalCount
      }
      events(first: $first, after: $after, last: $last, before: $before) {
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          node {
            id
            trackingNumber
            eventType
            receivedAt
            body
            bodyEncoding
          }
        }
      }
    }
  }
`);
