/**
 * For producers: sends an event to a mailbox with its API key. A JSON value is sent as
 * `application/json`; a string or bytes are sent as they are, with the Content-Type
 * given (Hookpost keeps and delivers the body byte for byte).
 */
import { expectData, type HookpostClient } from './client.ts';
import type { EventAccepted } from './types.ts';

export interface SendEventInput {
  mailboxId: string;
  /** The mailbox's API key (`hpk_…`). */
  apiKey: string;
  /** A JSON value, or the raw body (then give `contentType`). */
  body: unknown;
  /** Default: `application/json`. */
  contentType?: string;
  /** Sent as `x-event-type`; else Hookpost reads the body's `event` or `type` field. */
  eventType?: string;
}

export interface SentEvent extends EventAccepted {
  /** Where the event can be read with an access token (the `Location` header). */
  location: string | null;
}

export async function sendEvent(client: HookpostClient, input: SendEventInput): Promise<SentEvent> {
  const raw = typeof input.body === 'string' || input.body instanceof Uint8Array;
  const result = await client.POST('/webhooks/{mailboxId}', {
    params: {
      path: { mailboxId: input.mailboxId },
      header: input.eventType ? { 'x-event-type': input.eventType } : {},
    },
    // The API key is the credential here; an operator token given to the client stays home.
    headers: {
      'x-api-key': input.apiKey,
      'content-type': input.contentType ?? 'application/json',
      authorization: null,
    },
    body: input.body,
    bodySerializer: (body: unknown) => (raw ? (body as string | Uint8Array) : JSON.stringify(body)) as BodyInit,
  });
  return { ...expectData(result), location: result.response.headers.get('location') };
}
