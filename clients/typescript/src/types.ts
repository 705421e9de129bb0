/**
 * The API's things under their own names, as the OpenAPI document names its component
 * schemas: `import type { Mailbox, Endpoint, Event } from '@hookpost/client'`.
 */
import type { components, operations, webhooks } from './generated/openapi.ts';

type Schemas = components['schemas'];

export type ApiError = Schemas['Error'];
export type Mailbox = Schemas['Mailbox'];
export type CreatedMailbox = Schemas['CreatedMailbox'];
export type ApiKey = Schemas['ApiKey'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type Endpoint = Schemas['Endpoint'];
export type CreatedEndpoint = Schemas['CreatedEndpoint'];
export type RetryPolicy = Schemas['RetryPolicy'];
export type Event = Schemas['Event'];
export type EventDetail = Schemas['EventDetail'];
export type Delivery = Schemas['Delivery'];
export type DeliveryWithAttempts = Schemas['DeliveryWithAttempts'];
export type Attempt = Schemas['Attempt'];
export type EventAccepted = Schemas['EventAccepted'];
export type RetryStarted = Schemas['RetryStarted'];
export type Operator = Schemas['Operator'];
export type Replay = Schemas['Replay'];
export type DeadLetterFilter = Schemas['DeadLetterFilterInput'];
export type Erasure = Schemas['Erasure'];
export type ErasureFilter = Schemas['ErasureFilterInput'];
export type ErasureRequest = Schemas['ErasureRequestInput'];

export type CreateMailboxInput = Schemas['CreateMailboxInput'];
export type CreateEndpointInput = Schemas['CreateEndpointInput'];
export type UpdateEndpointInput = Schemas['UpdateEndpointInput'];

/** A list's filters, as `GET /api/webhooks` reads them. */
export type EventFilter = NonNullable<operations['listEvents']['parameters']['query']>;
export type EventStatus = Event['status'];
export type DeliveryStatus = Delivery['status'];

/** The signed request an endpoint receives (the document's `webhooks`). */
export type ReceivedEventHeaders = NonNullable<webhooks['event']['post']>['parameters']['header'];

export type { components, operations, paths, webhooks } from './generated/openapi.ts';
