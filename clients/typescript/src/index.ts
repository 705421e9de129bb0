/**
 * @hookpost/client: a typed client for Hookpost's REST API (generated from its OpenAPI
 * document), its live feeds, and `verifyWebhook` for receivers.
 */
export { createHookpostClient, expectData, HookpostApiError, nextCursor } from './client.ts';
export type { HookpostClient, HookpostClientOptions } from './client.ts';
export { sendEvent } from './sendEvent.ts';
export type { SendEventInput, SentEvent } from './sendEvent.ts';
export { subscribeToDeliveries, subscribeToErasure, subscribeToEvents, subscribeToReplay } from './live.ts';
export type {
  DeliveryChange,
  ErasureProgress,
  LiveDeliveries,
  LiveErasures,
  LiveEvent,
  LiveEvents,
  LiveOptions,
  LiveReplays,
  LiveSubscription,
  ReplayProgress,
} from './live.ts';
export { verifyWebhook, WebhookVerificationError } from './verifyWebhook.ts';
export type { HeadersLike, VerifiedWebhook } from './verifyWebhook.ts';
export { signedRequest } from './signedRequest.ts';
export type { SignedRequest, SignedRequestInput } from './signedRequest.ts';
export type * from './types.ts';
