/**
 * The change bus: how every process learns, within a fraction of a second, that an
 * event arrived or a delivery changed — whichever process did it. PostgreSQL is the bus
 * (LISTEN/NOTIFY on one channel), so nothing but the database is needed.
 *
 * Publishing is coalesced: changes are buffered for `flushIntervalMs` and sent as one
 * NOTIFY of compact id tuples, never over PostgreSQL's 8000-byte payload cap. NOTIFY
 * serialises committing transactions, so one per batch instead of one per event keeps
 * it off the delivery hot path. New events do not come through `publish` at all: the
 * ingest transaction sends their notifications itself (`changePayloads`), so they cost
 * no commit of their own and arrive exactly when the events are committed.
 * Notifications are a live view, not a record: a change published just before a crash
 * can be lost, and subscribers are told to resynchronise (`resync`) whenever the LISTEN
 * connection had to be re-established.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const CHANGE_CHANNEL = 'hookpost_changes';
/** PostgreSQL refuses payloads of 8000 bytes or more; keep a margin. */
const MAX_PAYLOAD_BYTES = 7_500;

export interface EventReceived {
  kind: 'event';
  eventId: string;
  mailboxId: string;
}

export interface DeliveryChanged {
  kind: 'delivery';
  deliveryId: string;
  eventId: string;
  mailboxId: string;
  endpointId: string;
  status: string;
  /** The attempt that caused the change, when one did. */
  attempt: number | null;
}

/** A mailbox's keys or endpoints changed: processes drop what they cached about its routing. */
export interface RoutingChanged {
  kind: 'routing';
  mailboxId: string;
}

/** An operator access token was revoked: live connections opened with it end, in every process. */
export interface AccessRevoked {
  kind: 'access';
  tokenId: string;
}

/** A dashboard session ended (sign-out): live connections opened with it end, in every process. */
export interface SessionEnded {
  kind: 'session';
  sessionId: string;
}

/** An endpoint's health or settings changed (circuit opened or closed, paused, disabled…). */
export interface EndpointChanged {
  kind: 'endpoint';
  endpointId: string;
  mailboxId: string;
}

/** A bulk replay progressed or ended. */
export interface ReplayChanged {
  kind: 'replay';
  replayId: string;
}

/** A bulk erasure progressed or ended. */
export interface ErasureChanged {
  kind: 'erasure';
  erasureId: string;
}

export type Change =
  | EventReceived
  | DeliveryChanged
  | RoutingChanged
  | AccessRevoked
  | SessionEnded
  | EndpointChanged
  | ReplayChanged
  | ErasureChanged;

/** Whether a change revokes the given access token (live connections opened with it must end). */
export const revokes = (change: Change, tokenId: string | undefined): boolean =>
  change.kind === 'access' && change.tokenId === tokenId;

/** Whether a change ends the given dashboard session. */
export const endsSession = (change: Change, sessionId: string | undefined): boolean =>
  change.kind === 'session' && change.sessionId === sessionId;

/** Wire format: tuples keep a notification small (about 45 delivery changes fit in one). */
type Wire =
  | ['e', string, string]
  | ['d', string, string, string, string, string, number | null]
  | ['r', string]
  | ['a', string]
  | ['s', string]
  | ['n', string, string]
  | ['p', string]
  | ['x', string];

function toWire(change: Change): Wire {
  switch (change.kind) {
    case 'event':
      return ['e', change.eventId, change.mailboxId];
    case 'delivery':
      return [
        'd',
        change.deliveryId,
        change.eventId,
        change.mailboxId,
        change.endpointId,
        change.status,
        change.attempt,
      ];
    case 'routing':
      return ['r', change.mailboxId];
    case 'access':
      return ['a', change.tokenId];
    case 'session':
      return ['s', change.sessionId];
    case 'endpoint':
      return ['n', change.endpointId, change.mailboxId];
    case 'replay':
      return ['p', change.replayId];
    case 'erasure':
      return ['x', change.erasureId];
  }
}

/** 'event' changes per NOTIFY payload when SQL builds them: ~85 bytes each, well under the cap. */
const EVENTS_PER_PAYLOAD = 50;

/**
 * A query that sends, on the channel in `channelParam`, the 'event' changes of the rows
 * of `source` (columns `id`, `mailbox_id`), as the same wire tuples as toWire: for a
 * statement that learns which events it stored only as it runs.
 */
export function eventChangesNotifySql(channelParam: string, source: string): string {
  return `select pg_notify(${channelParam}, json_agg(json_build_array('e', s.id, s.mailbox_id))::text)
            from (select id, mailbox_id, (row_number() over ()) / ${EVENTS_PER_PAYLOAD} as chunk from ${source}) s
           group by s.chunk`;
}

/**
 * The NOTIFY payloads that carry these changes on CHANGE_CHANNEL: JSON arrays of wire
 * tuples, as few as fit under PostgreSQL's payload cap.
 */
export function changePayloads(changes: Change[]): string[] {
  const payloads: string[] = [];
  let items: string[] = [];
  let bytes = 2;
  for (const change of changes) {
    const item = JSON.stringify(toWire(change));
    if (items.length > 0 && bytes + item.length + 1 > MAX_PAYLOAD_BYTES) {
      payloads.push(`[${items.join(',')}]`);
      items = [];
      bytes = 2;
    }
    items.push(item);
    bytes += item.length + 1;
  }
  if (items.length > 0) payloads.push(`[${items.join(',')}]`);
  return payloads;
}

/** The changes one NOTIFY payload carries; throws when it is not one of ours. */
export function readChangePayload(payload: string): Change[] {
  return (JSON.parse(payload) as Wire[]).map(fromWire);
}

function fromWire(wire: Wire): Change {
  if (wire[0] === 'e') return { kind: 'event', eventId: wire[1], mailboxId: wire[2] };
  if (wire[0] === 'r') return { kind: 'routing', mailboxId: wire[1] };
  if (wire[0] === 'a') return { kind: 'access', tokenId: wire[1] };
  if (wire[0] === 's') return { kind: 'session', sessionId: wire[1] };
  if (wire[0] === 'n') return { kind: 'endpoint', endpointId: wire[1], mailboxId: wire[2] };
  if (wire[0] === 'p') return { kind: 'replay', replayId: wire[1] };
  if (wire[0] === 'x') return { kind: 'erasure', erasureId: wire[1] };
  const [, deliveryId, eventId, mailboxId, endpointId, status, attempt] = wire;
  return { kind: 'delivery', deliveryId, eventId, mailboxId, endpointId, status, attempt };
}

export interface ChangeBus {
  publish(change: Change): void;
  /** Receives every change from every process, in batches. Returns an unsubscribe function. */
  subscribe(listener: (changes: Change[]) => void): () => void;
  /** Called after the LISTEN connection was lost and re-established: changes may have been missed. */
  onResync(listener: () => void): () => void;
  /** Sends what is buffered now (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface ChangeBusOptions {
  pool: pg.Pool;
  /** A connection string for the dedicated LISTEN connection; omit to only publish. */
  listenUrl?: string;
  logger: Logger;
  flushIntervalMs?: number;
}

/** Starts the bus; with `listenUrl`, resolves once LISTEN is in place. */
export async function startChangeBus(options: ChangeBusOptions): Promise<ChangeBus> {
  const { pool, logger } = options;
  const flushIntervalMs = options.flushIntervalMs ?? 25;
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let buffer: Change[] = [];
  let timer: NodeJS.Timeout | null = null;
  let sending: Promise<void> = Promise.resolve();
  let closed = false;

  const send = (changes: Change[]) => {
    // One transaction (one commit, one flush) for however many payloads the changes fill.
    const payloads = changePayloads(changes);
    sending = sending
      .then(() => pool.query('select pg_notify($1, p) from unnest($2::text[]) as p', [CHANGE_CHANNEL, payloads]))
      .then(() => undefined)
      .catch((error) =>
        logger.warn({ err: coerceError(error) }, 'Could not publish live changes; subscribers will miss them.'),
      );
  };

  const flushBuffer = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (buffer.length === 0) return;
    const changes = buffer;
    buffer = [];
    send(changes);
  };

  // The LISTEN side: one dedicated connection, re-established with backoff when lost.
  let listener: pg.Client | null = null;
  let reconnectDelay = 250;
  const connect = async (isReconnect: boolean): Promise<void> => {
    if (closed || !options.listenUrl) return;
    const client = new pg.Client({ connectionString: options.listenUrl, application_name: 'hookpost-listen' });
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
      try {
        emitter.emit('changes', readChangePayload(message.payload));
      } catch (error) {
        logger.warn({ err: coerceError(error) }, 'Ignored an unreadable live-change notification.');
      }
    });
    const lost = (error?: Error) => {
      if (listener !== client) return;
      listener = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (closed) return;
      logger.warn(
        { err: error, retryInMs: reconnectDelay },
        'The live-change LISTEN connection was lost; reconnecting.',
      );
      setTimeout(() => void connect(true), reconnectDelay).unref();
      reconnectDelay = Math.min(reconnectDelay * 2, 5_000);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    listener = client;
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
      reconnectDelay = 250;
      if (isReconnect) {
        logger.info('The live-change LISTEN connection is back.');
        emitter.emit('resync');
      }
    } catch (error) {
      lost(coerceError(error));
      if (!isReconnect) throw error;
    }
  };
  await connect(false);

  return {
    publish(change) {
      if (closed) return;
      buffer.push(change);
      timer ??= setTimeout(flushBuffer, flushIntervalMs);
    },
    subscribe(fn) {
      emitter.on('changes', fn);
      return () => emitter.off('changes', fn);
    },
    onResync(fn) {
      emitter.on('resync', fn);
      return () => emitter.off('resync', fn);
    },
    async flush() {
      flushBuffer();
      await sending;
    },
    async close() {
      flushBuffer();
      await sending;
      closed = true;
      const client = listener;
      listener = null;
      await client?.end().catch(() => undefined);
      emitter.removeAllListeners();
    },
  };
}
