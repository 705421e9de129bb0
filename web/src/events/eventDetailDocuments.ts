/** The GraphQL documents of one event's page: its payload, its deliveries with every attempt, and their live feed. */
import { graphql } from '../generated/gql.ts';

export const DeliveryTimelineFields = graphql(`
  fragment DeliveryTimelineFields on Delivery {
    id
    status
    attemptCount
    lastAttemptAt
    nextAttemptAt
    lastStatusCode
    statusReason
    orderingKey
    createdAt
    updatedAt
    endpoint {
      id
      url
      enabled
      deletedAt
      retryPolicy {
        maxAttempts
      }
    }
    attempts(first: 100) {
      totalCount
      edges {
        node {
          id
          number
          trigger
          url
          startedAt
          durationMs
          statusCode
          succeeded
          errorKind
          errorMessage
          requestHeaders {
            name
            value
          }
          responseHeaders {
            name
            value
          }
          responseBody
          responseBodyBase64
          responseBodyTruncated
        }
      }
    }
  }
`);

export const EventSummaryFields = graphql(`
  fragment EventSummaryFields on Event {
    id
    status
    attemptCount
    lastAttemptAt
    pendingCount
    failedCount
    cancelledCount
    deliveryCount
  }
`);

export const EventDetailQuery = graphql(`
  query EventDetail($trackingNumber: ID!) {
    event(trackingNumber: $trackingNumber) {
      ...EventSummaryFields
      trackingNumber
      receivedAt
      eventType
      orderingKey
      contentType
      body
      bodyEncoding
      erasedAt
      mailbox {
        id
        name
      }
      deliveries(first: 100) {
        edges {
          node {
            ...DeliveryTimelineFields
          }
        }
      }
    }
  }
`);

export const EventDeliveriesUpdatedSubscription = graphql(`
  subscription EventDeliveriesUpdated($eventId: ID!) {
    deliveryUpdated(eventId: $eventId) {
      updates {
        delivery {
          ...DeliveryTimelineFields
          event {
            ...EventSummaryFields
          }
        }
      }
      skipped
      resync
    }
  }
`);

export const RetryDeliveryMutation = graphql(`
  mutation RetryDelivery($id: ID!) {
    retryDelivery(id: $id) {
      event {
        ...EventSummaryFields
      }
      deliveries {
        ...DeliveryTimelineFields
      }
    }
  }
`);

export const CancelDeliveryMutation = graphql(`
  mutation CancelDelivery($id: ID!) {
    cancelDelivery(id: $id) {
      ...DeliveryTimelineFields
      event {
        ...EventSummaryFields
      }
    }
  }
`);

export const RetryWholeEventMutation = graphql(`
  mutation RetryWholeEvent($trackingNumber: ID!) {
    retryEvent(trackingNumber: $trackingNumber) {
      event {
        ...EventSummaryFields
      }
      deliveries {
        ...DeliveryTimelineFields
      }
    }
  }
`);

export const ResendTargetsQuery = graphql(`
  query ResendTargets($mailboxId: ID!) {
    mailbox(id: $mailboxId) {
      id
      endpoints(first: 100) {
        edges {
          node {
            id
            url
            description
            enabled
            eventTypes
          }
        }
      }
    }
  }
`);

export const ResendEventMutation = graphql(`
  mutation ResendEvent($trackingNumber: ID!, $endpointId: ID!) {
    resendEvent(trackingNumber: $trackingNumber, endpointId: $endpointId) {
      ...DeliveryTimelineFields
      event {
        ...EventSummaryFields
      }
    }
  }
`);
