/** The GraphQL documents of the endpoint health page: its state, activity, dead letters and switches. */
import { graphql } from '../generated/gql.ts';

export const EndpointHealthQuery = graphql(`
  query EndpointHealth($id: ID!, $windowMinutes: Int!, $first: Int, $after: String, $last: Int, $before: String) {
    endpoint(id: $id) {
      ...EndpointFields
      deletedAt
      updatedAt
      mailbox {
        id
        name
        system
      }
      disabledAt
      healthPolicy {
        failureThreshold
        failureRatePercent
        windowMs
        minAttempts
        coolDownMs
        maxCoolDownMs
        disableAfterMs
      }
      circuit {
        circuitState
        reason
        openedAt
        retryAt
        failingSince
        throttledUntil
        consecutiveFailures
        inFlight
        heldCount
        changedAt
      }
      activity(windowMinutes: $windowMinutes) {
        since
        bucketSeconds
        buckets {
          at
          succeeded
          failed
          p50Ms
          p95Ms
        }
        errors {
          kind
          count
          lastAt
          lastStatusCode
          lastMessage
        }
      }
    }
    deadLetters(filter: { endpointId: $id }, first: $first, after: $after, last: $last, before: $before) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          status
          statusReason
          attemptCount
          lastStatusCode
          lastAttemptAt
          updatedAt
          event {
            id
            trackingNumber
            eventType
            receivedAt
          }
          lastAttempt {
            id
            errorMessage
          }
        }
      }
    }
  }
`);

/** Pushed when an endpoint of the mailbox moves (circuit, pause, enable): the page reads itself again. */
export const EndpointChangedPulse = graphql(`
  subscription EndpointChangedPulse($mailboxId: ID) {
    endpointChanged(mailboxId: $mailboxId) {
      skipped
      resync
    }
  }
`);

export const PauseEndpointMutation = graphql(`
  mutation PauseEndpoint($id: ID!) {
    pauseEndpoint(id: $id) {
      id
      pausedAt
    }
  }
`);

export const ResumeEndpointMutation = graphql(`
  mutation ResumeEndpoint($id: ID!) {
    resumeEndpoint(id: $id) {
      id
      pausedAt
    }
  }
`);
