/** The overview's statistics over its window, read again when graphql/pulses.ts fire. */
import { graphql } from '../generated/gql.ts';

export const OverviewQuery = graphql(`
  query Overview($from: DateTime, $to: DateTime) {
    stats(from: $from, to: $to) {
      from
      to
      events {
        status
        count
      }
      deliveries {
        status
        count
      }
      attempts {
        attempts
        succeeded
        failed
      }
      attemptsPerMinute {
        minute
        succeeded
        failed
      }
      activityPerMinute {
        minute
        received
        p50Ms
        p95Ms
      }
      latency {
        p50Ms
        p95Ms
      }
      endpoints(first: 8) {
        endpoint {
          id
          url
          enabled
          mailbox {
            id
            name
          }
        }
        attempts
        succeeded
        failed
        failedDeliveries
        lastAttemptAt
        lastError
      }
    }
    mailboxes(first: 1) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);
