/** The GraphQL documents of the mailbox and endpoint views. */
import { graphql } from '../generated/gql.ts';

export const EndpointFields = graphql(`
  fragment EndpointFields on Endpoint {
    id
    url
    description
    enabled
    pausedAt
    disabledReason
    eventTypes
    timeoutMs
    rateLimitPerSecond
    maxInFlight
    orderedByKey
    orderingKeyField
    createdAt
    headers {
      name
      value
    }
    retryPolicy {
      preset
      maxAttempts
      baseDelayMs
      factor
      maxDelayMs
      jitter
      schedule
    }
  }
`);

export const MailboxesQuery = graphql(`
  query Mailboxes($first: Int, $after: String, $last: Int, $before: String) {
    mailboxes(first: $first, after: $after, last: $last, before: $before) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          name
          createdAt
          endpoints(first: 100) {
            totalCount
            edges {
              node {
                id
                url
                enabled
              }
            }
          }
        }
      }
    }
    stats {
      endpoints(first: 100) {
        endpoint {
          id
        }
        attempts
        succeeded
        failed
        failedDeliveries
        lastAttemptAt
      }
    }
  }
`);

export const MailboxQuery = graphql(`
  query Mailbox($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    mailbox(id: $id) {
      id
      name
      createdAt
      deletedAt
      apiKeys(first: 100) {
        edges {
          node {
            id
            name
            prefix
            active
            createdAt
            revokedAt
          }
        }
      }
      endpoints(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          node {
            ...EndpointFields
          }
        }
      }
      events(first: 1) {
        edges {
          node {
            id
          }
        }
      }
    }
    stats(mailboxId: $id) {
      endpoints(first: 100) {
        endpoint {
          id
        }
        attempts
        succeeded
        failed
        failedDeliveries
        lastAttemptAt
        lastError
      }
    }
  }
`);

export const CreateMailboxMutation = graphql(`
  mutation CreateMailbox($input: CreateMailboxInput!) {
    createMailbox(input: $input) {
      apiKey
      signingSecret
      mailbox {
        id
        name
      }
      endpoint {
        id
        url
      }
    }
  }
`);

export const RenameMailboxMutation = graphql(`
  mutation RenameMailbox($id: ID!, $name: String!) {
    updateMailbox(id: $id, name: $name) {
      id
      name
    }
  }
`);

export const DeleteMailboxMutation = graphql(`
  mutation DeleteMailbox($id: ID!) {
    deleteMailbox(id: $id) {
      id
      deletedAt
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($mailboxId: ID!, $name: String) {
    createApiKey(mailboxId: $mailboxId, name: $name) {
      apiKey
      key {
        id
        name
        prefix
        active
        createdAt
        revokedAt
      }
    }
  }
`);

export const RevokeApiKeyMutation = graphql(`
  mutation RevokeApiKey($id: ID!, $graceSeconds: Int) {
    revokeApiKey(id: $id, graceSeconds: $graceSeconds) {
      id
      active
      revokedAt
    }
  }
`);

export const CreateEndpointMutation = graphql(`
  mutation CreateEndpoint($input: CreateEndpointInput!) {
    createEndpoint(input: $input) {
      signingSecret
      endpoint {
        ...EndpointFields
      }
    }
  }
`);

export const UpdateEndpointMutation = graphql(`
  mutation UpdateEndpoint($id: ID!, $input: UpdateEndpointInput!) {
    updateEndpoint(id: $id, input: $input) {
      ...EndpointFields
    }
  }
`);

export const EnableEndpointMutation = graphql(`
  mutation EnableEndpoint($id: ID!, $replayMissed: Boolean = false) {
    enableEndpoint(id: $id, replayMissed: $replayMissed) {
      id
      enabled
      disabledReason
    }
  }
`);

export const DisableEndpointMutation = graphql(`
  mutation DisableEndpoint($id: ID!) {
    disableEndpoint(id: $id) {
      id
      enabled
      disabledReason
    }
  }
`);

export const DeleteEndpointMutation = graphql(`
  mutation DeleteEndpoint($id: ID!) {
    deleteEndpoint(id: $id) {
      id
      deletedAt
    }
  }
`);

export const RotateSecretMutation = graphql(`
  mutation RotateEndpointSecret($id: ID!) {
    rotateEndpointSecret(id: $id) {
      signingSecret
      endpoint {
        id
      }
    }
  }
`);

export const RevealSecretQuery = graphql(`
  query RevealSigningSecret($endpointId: ID!) {
    signingSecret(endpointId: $endpointId)
  }
`);

export const SendTestEventMutation = graphql(`
  mutation SendTestEvent($endpointId: ID!) {
    sendTestEvent(endpointId: $endpointId) {
      event {
        id
        trackingNumber
      }
      delivery {
        id
        status
      }
    }
  }
`);

export const TestDeliveryFields = graphql(`
  fragment TestDeliveryFields on Delivery {
    id
    status
    lastAttempt {
      durationMs
      statusCode
      errorMessage
      succeeded
    }
  }
`);

export const TestDeliveryUpdatedSubscription = graphql(`
  subscription TestDeliveryUpdated($eventId: ID!) {
    deliveryUpdated(eventId: $eventId) {
      updates {
        delivery {
          ...TestDeliveryFields
        }
      }
    }
  }
`);

export const TestDeliveryQuery = graphql(`
  query TestDelivery($id: ID!) {
    delivery(id: $id) {
      ...TestDeliveryFields
    }
  }
`);
