/**
 * The operations listener: /healthz, /readyz and /metrics on a port of its own
 * (HOOKPOST_OPS_PORT), in every process, workers included, for orchestrators and
 * Prometheus. It is a bare node:http server, so a worker process loads no web framework.
 *
 * /metrics answers only here (and nowhere on the public port); with
 * HOOKPOST_METRICS_TOKEN set it also asks for `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Readiness } from './readiness.ts';

export interface OpsServer {
  url: string;
  close(): Promise<void>;
}

export interface OpsServerOptions {
  host: string;
  port: number;
  readiness: Readiness;
  registry: Registry;
  /** When set, /metrics asks for it as a bearer token. */
  metricsToken: string | undefined;
  logger: Logger;
}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { readiness, registry, logger } = options;
  const send = (res: http.ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const json = (res: http.ServerResponse, status: number, value: unknown) =>
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return json(res, 405, { error: { code: 'method_not_allowed', message: 'Only GET is served here.' } });
    }
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      void readiness.check().then(
        (problems) =>
          problems.length === 0
            ? json(res, 200, { status: 'ready' })
            : json(res, 503, { error: { code: 'unavailable', message: problems.join(' ') } }),
        (error: unknown) => json(res, 503, { error: { code: 'unavailable', message: coerceError(error).message } }),
      );
      return;
    }
    if (path === '/metrics') {
      if (options.metricsToken && !sameToken(req.headers.authorization, options.metricsToken)) {
        return json(res, 401, {
          error: { code: 'unauthenticated', message: 'Send the metrics token as a bearer token.' },
        });
      }
      void registry.metrics().then(
        (text) => send(res, 200, registry.contentType, text),
        (error: unknown) => {
          logger.error({ err: coerceError(error) }, 'Collecting metrics failed.');
          json(res, 500, { error: { code: 'internal_error', message: 'Collecting metrics failed.' } });
        },
      );
      return;
    }
    json(res, 404, { error: { code: 'not_found', message: 'Here: /healthz, /readyz, /metrics.' } });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = 256;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
