/**
 * Hookpost's live feeds, over GraphQL subscriptions on Server-Sent Events (graphql-sse):
 * events as they are accepted (`eventReceived`) and deliveries as they change
 * (`deliveryUpdated`), from every Hookpost process. Payloads are coalesced by the
 * server; `skipped` and `resync` say when some were not sent, and the caller should then
 * read the list again (the REST client) to catch up.
 */
import { createClient } from 'graphql-sse';

export interface LiveOptions {
  baseUrl: string;
  token: string;
  /** Called once the server holds the subscription: what is accepted from then on is pushed. */
  onConnected?: () => void;
}

export interface LiveEvent {
  trackingNumber: string;
  eventType: string | null;
  status: 'queued' | 'delivering' | 'delivered' | 'failed' | 'cancelled' | 'unrouted';
  receivedAt: string;
  mailboxName: string;
}

export interface LiveEvents {
  /** The new events, oldest first. */
  events: LiveEvent[];
  /** Events accepted meanwhile that are not listed (a burst): read the list to see them. */
  skipped: number;
  /** Events may have been missed: read the list. */
  resync: boolean;
}

export interface DeliveryChange {
  trackingNumber: string;
  eventType: string | null;
  deliveryId: string;
  endpointUrl: string;
  status: 'queued' | 'delivering' | 'delivered' | 'failed' | 'cancelled';
  /** The attempt that made the change, if one did. */
  attempt: { number: number; statusCode: number | null; errorMessage: string | null; trigger: string } | null;
}

export interface LiveDeliveries {
  changes: DeliveryChange[];
  skipped: number;
  resync: boolean;
}

/** A running subscription: `done` settles when it ends (rejecting when it failed); `close()` ends it. */
export interface LiveSubscription {
  done: Promise<void>;
  close(): void;
}

const EVENTS = `subscription Events($mailboxId: ID) {
  eventReceived(mailboxId: $mailboxId) {
    events { trackingNumber eventType status receivedAt mailbox { name } }
    skipped
    resync
  }
}`;

const DELIVERIES = `subscription Deliveries($mailboxId: ID) {
  deliveryUpdated(mailboxId: $mailboxId) {
    updates {
      status
      delivery { id endpoint { url } event { trackingNumber eventType } }
      attempt { number statusCode errorMessage trigger }
    }
    skipped
    resync
  }
}`;

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

function subscribe<T>(
  options: LiveOptions,
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
): LiveSubscription {
  const client = createClient({
    url: `${options.baseUrl.replace(/\/+$/, '')}/graphql`,
    headers: { authorization: `Bearer ${options.token}` },
    // A broken stream ends the subscription; the caller decides whether to reconnect and catch up.
    retryAttempts: 0,
  });
  let unsubscribe = () => {};
  const done = new Promise<void>((resolve, reject) => {
    unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next(result) {
          const errors = result.errors as readonly GraphQLError[] | undefined;
          if (errors?.length) {
            const first = errors[0]!;
            reject(new Error(`${first.message}${first.extensions?.code ? ` (${first.extensions.code})` : ''}`));
          } else if (result.data) onData(result.data);
        },
        error(error) {
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: resolve,
      },
      { connected: () => options.onConnected?.() },
    );
  });
  return {
    done: done.finally(() => client.dispose()),
    close() {
      unsubscribe();
    },
  };
}

/** New events, of one mailbox or all. */
export function subscribeToEvents(
  options: LiveOptions & { mailboxId?: string },
  onEvents: (events: LiveEvents) => void,
): LiveSubscription {
  type Received = Omit<LiveEvent, 'mailboxName'> & { mailbox: { name: string } };
  type Data = { eventReceived: { events: Received[]; skipped: number; resync: boolean } };
  return subscribe<Data>(options, EVENTS, { mailboxId: options.mailboxId ?? null }, ({ eventReceived }) =>
    onEvents({
      events: eventReceived.events.map(({ mailbox, ...event }) => ({ ...event, mailboxName: mailbox.name })),
      skipped: eventReceived.skipped,
      resync: eventReceived.resync,
    }),
  );
}

/** Delivery status changes and attempts, of one mailbox or all. */
export function subscribeToDeliveries(
  options: LiveOptions & { mailboxId?: string },
  onDeliveries: (deliveries: LiveDeliveries) => void,
): LiveSubscription {
  type Data = {
    deliveryUpdated: {
      updates: {
        status: DeliveryChange['status'];
        delivery: {
          id: string;
          endpoint: { url: string };
          event: { trackingNumber: string; eventType: string | null };
        };
        attempt: DeliveryChange['attempt'];
      }[];
      skipped: number;
      resync: boolean;
    };
  };
  return subscribe<Data>(options, DELIVERIES, { mailboxId: options.mailboxId ?? null }, ({ deliveryUpdated }) =>
    onDeliveries({
      changes: deliveryUpdated.updates.map((update) => ({
        trackingNumber: update.delivery.event.trackingNumber,
        eventType: update.delivery.event.eventType,
        deliveryId: update.delivery.id,
        endpointUrl: update.delivery.endpoint.url,
        status: update.status,
        attempt: update.attempt,
      })),
      skipped: deliveryUpdated.skipped,
      resync: deliveryUpdated.resync,
    }),
  );
}

/** A bulk replay's progress (`replayUpdated`). */
export interface ReplayProgress {
  id: string;
  status: 'running' | 'finished' | 'cancelled';
  /** Failed deliveries that matched when it started. */
  total: number;
  /** Taken so far. */
  processed: number;
  /** Put back in line so far (fewer than taken when some were no longer failed or their endpoint is disabled). */
  requeued: number;
}

export interface LiveReplays {
  replays: ReplayProgress[];
  skipped: number;
  resync: boolean;
}

const REPLAY = `subscription Replay($id: ID) {
  replayUpdated(id: $id) {
    replays { id status total processed requeued }
    skipped
    resync
  }
}`;

/** Progress of one bulk replay (or of all), pushed as it moves. */
export function subscribeToReplay(
  options: LiveOptions & { replayId?: string },
  onReplays: (replays: LiveReplays) => void,
): LiveSubscription {
  type Data = { replayUpdated: LiveReplays };
  return subscribe<Data>(options, REPLAY, { id: options.replayId ?? null }, ({ replayUpdated }) =>
    onReplays(replayUpdated),
  );
}

/** A bulk erasure's progress (`erasureUpdated`). */
export interface ErasureProgress {
  id: string;
  status: 'running' | 'finished' | 'cancelled';
  /** Events that matched when it started. */
  matched: number;
  /** Erased so far. */
  erased: number;
  /** Passed over for now because an attempt of theirs was in flight; taken once it ends. */
  inFlight: number;
}

export interface LiveErasures {
  erasures: ErasureProgress[];
  skipped: number;
  resync: boolean;
}

const ERASURE = `subscription Erasure($id: ID) {
  erasureUpdated(id: $id) {
    erasures { id status matched erased inFlight }
    skipped
    resync
  }
}`;

/** Progress of one bulk erasure (or of all), pushed as it moves. Admins only. */
export function subscribeToErasure(
  options: LiveOptions & { erasureId?: string },
  onErasures: (erasures: LiveErasures) => void,
): LiveSubscription {
  type Data = { erasureUpdated: LiveErasures };
  return subscribe<Data>(options, ERASURE, { id: options.erasureId ?? null }, ({ erasureUpdated }) =>
    onErasures(erasureUpdated),
  );
}
