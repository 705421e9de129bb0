/**
 * OpenTelemetry traces, end to end against a real OTLP/HTTP collector stand-in: an
 * event's ingest request and every attempt of every delivery of it (fan-out, retries, a
 * manual retry after a restart) are one trace, the attempts children of the ingest span,
 * which is itself the child of the producer's span. Receivers get the attempt's
 * `traceparent` only when HOOKPOST_SEND_TRACEPARENT is on; log lines carry the trace id.
 * Without OTEL_* settings nothing of this runs.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { TracingConfig } from '../server/tracing/tracingSettings.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from './support/otlpCollector.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

let db: TestDatabase;
let collector: OtlpCollector;
let flaky: Receiver;
let steady: Receiver;
let failing: Receiver;

beforeAll(async () => {
  db = await createTestDatabase();
  collector = await startOtlpCollector();
  // 500 on its first request, then 200: one retry.
  flaky = await startReceiver();
  flaky.reply(() => (flaky.requests.length === 1 ? { status: 500, body: 'once' } : { status: 200 }));
  steady = await startReceiver();
  failing = await startReceiver({ status: 500, body: 'down' });
});

afterAll(async () => {
  await Promise.all([collector?.close(), flaky?.close(), steady?.close(), failing?.close()]);
  await db?.drop();
});

function tracing(overrides: Partial<TracingConfig> = {}): TracingConfig {
  return {
    url: collector.tracesUrl,
    protocol: 'http/json',
    serviceName: 'hookpost-test',
    sendTraceparent: false,
    ...overrides,
  };
}

function logLines() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', pretty: false, destination }) };
}

/** W3C traceparent parts. */
function parseTraceparent(header: string | string[] | undefined) {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(String(header));
  if (!match) throw new Error(`not a traceparent: ${String(header)}`);
  return { traceId: match[1]!, parentId: match[2]!, flags: match[3]! };
}

async function eventOf(hookpost: TestHookpost, trackingNumber: string) {
  return (await (await hookpost.api(`/api/webhooks/${trackingNumber}`)).json()) as {
    status: string;
    deliveries: { id: string; endpoint_id: string; status: string; attempt_count: number }[];
  };
}

async function settled(hookpost: TestHookpost, trackingNumber: string) {
  await vi.waitFor(
    async () => {
      const event = await eventOf(hookpost, trackingNumber);
      expect(
        event.deliveries.map((delivery) => delivery.status).filter((s) => s !== 'delivered' && s !== 'failed'),
      ).toEqual([]);
    },
    { timeout: 15_000, interval: 100 },
  );
  return eventOf(hookpost, trackingNumber);
}

/** Stops a Hookpost once, whether the test stopped it already or fails before. */
function stopOnce(hookpost: TestHookpost): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  return () => (stopped ??= hookpost.stop());
}

async function addEndpoint(hookpost: TestHookpost, mailboxId: string, body: Record<string, unknown>) {
  const response = await hookpost.api(`/api/mailboxes/${mailboxId}/endpoints`, { method: 'POST', json: body });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

// Shared by the tests in order: the first makes the event, the second retries it after a restart.
const producer = { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
let trackingNumber = '';
let ingestSpan: CollectedSpan;
let failingEndpointId = '';

describe('tracing', () => {
  test("an event's ingest and each attempt of each delivery are one trace, and receivers get the attempt's traceparent", async () => {
    const { lines, logger } = logLines();
    const hookpost = await startTestHookpost(db.url, { tracing: tracing({ sendTraceparent: true }) }, { logger });
    const stop = stopOnce(hookpost);
    try {
      const mailbox = await createMailbox(hookpost, { name: 'Traced' });
      const flakyId = await addEndpoint(hookpost, mailbox.id, {
        url: `${flaky.url}/hook`,
        retry_policy: { schedule: [200] },
      });
      await addEndpoint(hookpost, mailbox.id, { url: `${steady.url}/hook` });
      failingEndpointId = await addEndpoint(hookpost, mailbox.id, {
        url: `${failing.url}/hook`,
        retry_policy: { max_attempts: 1 },
      });

      const response = await sendEvent(
        hookpost,
        mailbox,
        { event: 'order.created' },
        { traceparent: `00-${producer.traceId}-${producer.spanId}-01`, tracestate: 'producer=s3cret-vendor-data' },
      );
      expect(response.status).toBe(202);
      trackingNumber = ((await response.json()) as { tracking_number: string }).tracking_number;
      const event = await settled(hookpost, trackingNumber);
      expect(
        Object.fromEntries(event.deliveries.map((d) => [d.endpoint_id, [d.status, d.attempt_count]])),
      ).toMatchObject({ [flakyId]: ['delivered', 2], [failingEndpointId]: ['failed', 1] });

      // Stopping sends the spans still buffered.
      await stop();
      const spans = collector.spans();
      const ingest = spans.filter((span) => span.kind === SERVER);
      expect(ingest).toHaveLength(1);
      ingestSpan = ingest[0]!;
      expect(ingestSpan).toMatchObject({
        traceId: producer.traceId,
        parentSpanId: producer.spanId,
        serviceName: 'hookpost-test',
        attributes: { 'hookpost.event.id': trackingNumber, 'http.response.status_code': 202 },
      });

      // A span per attempt (2 + 1 + 1), each a child of the ingest span.
      const attempts = spans.filter((span) => span.kind === CLIENT);
      expect(attempts).toHaveLength(4);
      for (const attempt of attempts) {
        expect(attempt).toMatchObject({ traceId: producer.traceId, parentSpanId: ingestSpan.spanId });
        expect(attempt.attributes['hookpost.event.id']).toBe(trackingNumber);
      }
      const flakyAttempts = attempts
        .filter((span) => span.attributes['hookpost.endpoint.id'] === flakyId)
        .sort(
          (a, b) => Number(a.attributes['hookpost.attempt.number']) - Number(b.attributes['hookpost.attempt.number']),
        );
      expect(flakyAttempts.map((span) => [span.attributes['hookpost.attempt.number'], span.statusCode])).toEqual([
        [1, ERROR],
        [2, 0],
      ]);
      expect(flakyAttempts[0]!.attributes['http.response.status_code']).toBe(500);

      // Each request a receiver got carries its own attempt span as the parent.
      const received = [...flaky.requests, ...steady.requests, ...failing.requests];
      expect(received).toHaveLength(4);
      const parents = received.map((request) => parseTraceparent(request.headers.traceparent));
      for (const parent of parents) expect(parent).toMatchObject({ traceId: producer.traceId, flags: '01' });
      // The producer's tracestate is not passed on to receivers.
      for (const request of received) expect(request.headers.tracestate).toBeUndefined();
      expect(parents.map((parent) => parent.parentId).sort()).toEqual(attempts.map((span) => span.spanId).sort());

      // Log lines carry the trace id: the ingest request's and each attempt's.
      const attemptLines = lines.filter(
        (line) => line.eventId === trackingNumber && /attempt \d/.test(String(line.msg)),
      );
      expect(attemptLines).toHaveLength(4);
      for (const line of attemptLines) expect(line.traceId).toBe(producer.traceId);
      expect(
        lines.filter((line) => line.msg === 'Request served.' && String(line.url).startsWith('/webhooks/')),
      ).toEqual([expect.objectContaining({ traceId: producer.traceId })]);
    } finally {
      await stop();
    }
  });

  test('after a restart, a manual retry joins the same trace; without HOOKPOST_SEND_TRACEPARENT receivers get no traceparent', async () => {
    expect(trackingNumber).not.toBe('');
    collector.clear();
    failing.reply({ status: 200 });
    const hookpost = await startTestHookpost(db.url, { tracing: tracing() });
    const stop = stopOnce(hookpost);
    try {
      const retried = await hookpost.api(`/api/webhooks/${trackingNumber}/retry`, { method: 'POST' });
      expect(retried.status).toBeLessThan(300);
      await vi.waitFor(
        async () => {
          const event = await eventOf(hookpost, trackingNumber);
          expect(event.deliveries.find((d) => d.endpoint_id === failingEndpointId)?.status).toBe('delivered');
        },
        { timeout: 15_000, interval: 100 },
      );
      await stop();
      expect(failing.requests).toHaveLength(2);
      expect(failing.requests[1]!.headers.traceparent).toBeUndefined();
      const attempts = collector.spans().filter((span) => span.kind === CLIENT);
      expect(attempts).toEqual([
        expect.objectContaining({
          traceId: producer.traceId,
          parentSpanId: ingestSpan.spanId,
          attributes: expect.objectContaining({
            'hookpost.attempt.number': 2,
            'hookpost.attempt.trigger': 'manual',
            'hookpost.endpoint.id': failingEndpointId,
          }),
        }),
      ]);
    } finally {
      await stop();
    }
  });

  test("erasing the event forgets its trace context (the producer's trace id and tracestate)", async () => {
    expect(trackingNumber).not.toBe('');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const hookpost = await startTestHookpost(db.url);
    const stop = stopOnce(hookpost);
    try {
      const traceContext = async () =>
        (await client.query('select trace_context from event where id = $1', [trackingNumber])).rows[0]?.trace_context;
      expect(JSON.stringify(await traceContext())).toContain(producer.traceId);
      expect((await hookpost.api(`/api/webhooks/${trackingNumber}`, { method: 'DELETE' })).status).toBe(200);
      expect(await traceContext()).toBeNull();
    } finally {
      await stop();
      await client.end();
    }
  });

  test('http/protobuf, the default protocol, sends the spans as protobuf', async () => {
    collector.clear();
    const hookpost = await startTestHookpost(db.url, { tracing: tracing({ protocol: 'http/protobuf' }) });
    const stop = stopOnce(hookpost);
    try {
      const mailbox = await createMailbox(hookpost, { name: 'Protobuf', target_url: `${steady.url}/proto` });
      const traceId = randomBytes(16).toString('hex');
      const response = await sendEvent(
        hookpost,
        mailbox,
        { event: 'x' },
        { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      );
      await settled(hookpost, ((await response.json()) as { tracking_number: string }).tracking_number);
      await stop();
      expect(collector.requests.length).toBeGreaterThan(0);
      for (const request of collector.requests) {
        expect(request).toMatchObject({ path: '/v1/traces', contentType: 'application/x-protobuf' });
      }
      // Trace ids travel as 16 raw bytes: the ingest span and the attempt span both carry it.
      const body = Buffer.concat(collector.requests.map((request) => request.body));
      const id = Buffer.from(traceId, 'hex');
      expect(body.indexOf(id)).toBeGreaterThanOrEqual(0);
      expect(body.indexOf(id, body.indexOf(id) + 1)).toBeGreaterThan(0);
    } finally {
      await stop();
    }
  });

  test('off by default: no exporter starts, no trace context is stored, and receivers get no traceparent', async () => {
    collector.clear();
    const hookpost = await startTestHookpost(db.url);
    const stop = stopOnce(hookpost);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      expect(hookpost.runtime.config.tracing).toBeUndefined();
      expect(hookpost.runtime.tracing).toBeUndefined();
      const mailbox = await createMailbox(hookpost, { name: 'Untraced', target_url: `${steady.url}/untraced` });
      const response = await sendEvent(
        hookpost,
        mailbox,
        { event: 'x' },
        { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` },
      );
      const { tracking_number } = (await response.json()) as { tracking_number: string };
      await settled(hookpost, tracking_number);
      const request = steady.requests.find((r) => r.path === '/untraced');
      expect(request?.headers.traceparent).toBeUndefined();
      const { rows } = await client.query('select trace_context from event where id = $1', [tracking_number]);
      expect(rows).toEqual([{ trace_context: null }]);
      await stop();
      expect(collector.requests).toEqual([]);
    } finally {
      await client.end();
      await stop();
    }
  });
});
