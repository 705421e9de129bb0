/**
 * One HTTP attempt: POST the event to the endpoint and describe what happened. Never
 * throws: whatever the receiver or the network did, and the worker stopping mid-request,
 * are outcomes, each recorded as an attempt.
 *
 * Rules: 2xx is success; 3xx is a failure (redirects are never followed: the endpoint
 * must be the real address); timeouts cover connecting, waiting for headers and reading
 * the body; the SSRF guard runs on literal addresses here and on resolved ones in the
 * agent's lookup.
 */
import { Agent, request, type Dispatcher } from 'undici';
import type { EgressProxy } from '../config.ts';
import { createProxiedDispatcher } from './egressProxy.ts';
import { flattenHeaders, readCapped } from './responseCapture.ts';
import { parseRetryAfter } from './retrySchedule.ts';
import { checkTargetUrl, guardedLookup, type TargetPolicy } from './targetGuard.ts';

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
}

export type ErrorKind =
  | 'http_status'
  | 'redirect'
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'blocked_target'
  | 'network'
  /** The worker stopped before the answer came: the receiver may have got the request. */
  | 'aborted';

export interface AttemptOutcome {
  ok: boolean;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: Buffer | null;
  responseBodyTruncated: boolean;
  errorKind: ErrorKind | null;
  errorMessage: string | null;
  /** The receiver's Retry-After on 429/503, in ms. */
  retryAfterMs: number | null;
}

/**
 * One keep-alive agent per worker process, with the SSRF guard on every connection; or,
 * when an egress proxy is configured, on every request before it goes through the proxy.
 */
export function createOutboundAgent(policy: TargetPolicy, proxy?: EgressProxy): Dispatcher {
  const options: Agent.Options = {
    connect: { lookup: guardedLookup(policy), timeout: 10_000 },
    keepAliveTimeout: 10_000,
    connections: 64,
  };
  if (proxy?.httpProxy || proxy?.httpsProxy) return createProxiedDispatcher(options, proxy, policy);
  return new Agent(options);
}

export async function sendAttempt(
  agent: Dispatcher,
  policy: TargetPolicy,
  outbound: OutboundRequest,
  stopping?: AbortSignal,
): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const start = performance.now();
  const finish = (fields: Partial<AttemptOutcome> & Pick<AttemptOutcome, 'ok'>): AttemptOutcome => ({
    startedAt,
    durationMs: Math.round(performance.now() - start),
    statusCode: null,
    responseHeaders: null,
    responseBody: null,
    responseBodyTruncated: false,
    errorKind: null,
    errorMessage: null,
    retryAfterMs: null,
    ...fields,
  });

  const target = checkTargetUrl(outbound.url, policy);
  if (!target.ok)
    return finish({ ok: false, errorKind: 'blocked_target', errorMessage: `The endpoint URL ${target.reason}.` });

  const timeout = AbortSignal.timeout(outbound.timeoutMs);
  const signal = stopping ? AbortSignal.any([timeout, stopping]) : timeout;
  try {
    const response = await request(outbound.url, {
      method: 'POST',
      headers: outbound.headers,
      body: outbound.body,
      dispatcher: agent,
      signal,
      headersTimeout: outbound.timeoutMs,
      bodyTimeout: outbound.timeoutMs,
    });
    const { body, truncated } = await readCapped(response.body);
    const status = response.statusCode;
    const headers = flattenHeaders(response.headers);
    const common = {
      statusCode: status,
      responseHeaders: headers,
      responseBody: body,
      responseBodyTruncated: truncated,
    };
    if (status >= 200 && status < 300) return finish({ ok: true, ...common });
    if (status >= 300 && status < 400) {
      const location = headers.location ? ` to ${headers.location}` : '';
      return finish({
        ok: false,
        ...common,
        errorKind: 'redirect',
        errorMessage: `The endpoint answered ${status} (redirect${location}); redirects are not followed.`,
      });
    }
    return finish({
      ok: false,
      ...common,
      errorKind: 'http_status',
      errorMessage: `The endpoint answered ${status}.`,
      retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(headers['retry-after']) : null,
    });
  } catch (error) {
    if (stopping?.aborted && !timeout.aborted) {
      return finish({
        ok: false,
        errorKind: 'aborted',
        errorMessage: 'The worker stopped before the answer came; the receiver may have got the request.',
      });
    }
    if (timeout.aborted) {
      return finish({
        ok: false,
        errorKind: 'timeout',
        errorMessage: `No complete response within ${outbound.timeoutMs} ms.`,
      });
    }
    return finish({ ok: false, ...describeNetworkError(error) });
  }
}

function describeNetworkError(error: unknown): { errorKind: ErrorKind; errorMessage: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  const message = err.message || String(error);
  if (code === 'ERR_TARGET_BLOCKED') return { errorKind: 'blocked_target', errorMessage: message };
  if (code === 'ECONNREFUSED')
    return { errorKind: 'connection_refused', errorMessage: `Connection refused (${message}).` };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET')
    return { errorKind: 'connection_reset', errorMessage: `The connection was closed before a response (${message}).` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return { errorKind: 'dns', errorMessage: `The host name could not be resolved (${message}).` };
  if (code.startsWith('UND_ERR_') && code.includes('TIMEOUT')) return { errorKind: 'timeout', errorMessage: message };
  if (
    code.startsWith('ERR_TLS') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT'
  ) {
    return { errorKind: 'tls', errorMessage: `TLS failed (${message}).` };
  }
  return { errorKind: 'network', errorMessage: code ? `${code}: ${message}` : message };
}
