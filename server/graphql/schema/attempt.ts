/** Attempt: one HTTP request of a delivery, the audit trail. */
import { isUtf8 } from 'node:buffer';
import type { attemptTriggers } from '../../deliveries/deliverJobs.ts';
import { builder } from '../builder.ts';
import { IN_ROW } from '../queryCost.ts';
import { Header, headerList } from './header.ts';

export const AttemptTrigger = builder.enumType('AttemptTrigger', {
  description: 'What caused an attempt.',
  values: {
    scheduled: { description: "The first try or a retry of the endpoint's retry policy." },
    manual: { description: 'An operator asked for a retry.' },
    test: { description: 'A test event sent with `sendTestEvent`.' },
    replay: { description: 'A bulk replay of deliveries that had failed (`startReplay`).' },
  } satisfies Record<(typeof attemptTriggers)[number], { description: string }>,
});

const asBuffer = (bytes: Uint8Array | null) =>
  bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;

export const Attempt = builder.prismaObject('Attempt', {
  description:
    'One HTTP request of a delivery: when, how long, what came back or what went wrong, and why it was made. Never changed once written.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The attempt id (a UUID).' }),
    delivery: t.relation('delivery', { description: 'The delivery it belongs to.' }),
    number: t.exposeInt('number', { description: '1 for the first try, counting every try of the delivery.' }),
    trigger: t.expose('trigger', { type: AttemptTrigger, description: 'What caused it.' }),
    url: t.exposeString('url', { description: 'The URL as it was when the request was made.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the request started.' }),
    durationMs: t.exposeInt('durationMs', { description: 'How long it took, in milliseconds.' }),
    requestHeaders: t.field({
      type: [Header],
      complexity: IN_ROW,
      description: 'The request headers sent, signature included (every custom header value is redacted).',
      resolve: (attempt) => headerList(attempt.requestHeaders),
    }),
    statusCode: t.exposeInt('statusCode', {
      nullable: true,
      description: 'The HTTP status of the response; null when none came (timeout, connection error…).',
    }),
    responseHeaders: t.field({
      type: [Header],
      complexity: IN_ROW,
      nullable: true,
      description: 'The response headers; null when no response came.',
      resolve: (attempt) => (attempt.responseHeaders ? headerList(attempt.responseHeaders) : null),
    }),
    responseBody: t.string({
      nullable: true,
      description:
        'The response body as text, when it is UTF-8; at most the first 20 KiB (see `responseBodyTruncated`).',
      resolve: (attempt) => {
        const body = asBuffer(attempt.responseBody);
        return body && isUtf8(body) ? body.toString('utf8') : null;
      },
    }),
    responseBodyBase64: t.string({
      nullable: true,
      description: 'The response body as base64, when it is not UTF-8 text.',
      resolve: (attempt) => {
        const body = asBuffer(attempt.responseBody);
        return body && !isUtf8(body) ? body.toString('base64') : null;
      },
    }),
    responseBodyTruncated: t.exposeBoolean('responseBodyTruncated', {
      description: 'Whether the body was longer than what was kept.',
    }),
    errorKind: t.exposeString('errorKind', {
      nullable: true,
      description:
        'Why it failed: http_status, redirect, timeout, connection_refused, connection_reset, dns, tls, blocked_target or network; null when it succeeded.',
    }),
    errorMessage: t.exposeString('errorMessage', { nullable: true, description: 'What went wrong, in words.' }),
    succeeded: t.boolean({
      description: 'Whether the endpoint answered 2xx.',
      resolve: (attempt) =>
        attempt.errorKind === null &&
        attempt.statusCode !== null &&
        attempt.statusCode >= 200 &&
        attempt.statusCode < 300,
    }),
  }),
});
