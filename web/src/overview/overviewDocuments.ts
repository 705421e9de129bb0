/** The overview's statistics of the last hour, and the two light feeds that tell it when to read them again. */
import { graphql } from '../generated/gql.ts';

export const OverviewQuery = graphql(`
  query Overview {
    stats {
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

export const OverviewEventsPulse = graphql(`
  subscription OverviewEventsPulse {
    eventReceived {
      skipped
      resync
    }
  }
`);

export const OverviewDeliveriesPulse = graphql(`
  subscription OverviewDeliveriesPulse {
    deliveryUpdated {
      skipped
      resync
    }
  }
`);
