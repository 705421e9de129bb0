/**
 * A stand-in for an OpenTelemetry collector: a real HTTP server on port 0 that takes
 * what an OTLP/HTTP exporter sends to /v1/traces and keeps it. JSON bodies (protocol
 * `http/json`) are decoded into spans; protobuf ones are kept as bytes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's numbers: 2 server, 3 client. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  serviceName: string | undefined;
}

export interface OtlpCollector {
  /** The traces URL to give the exporter. */
  tracesUrl: string;
  requests: { path: string; contentType: string | undefined; body: Buffer }[];
  /** Every span of every JSON request so far. */
  spans(): CollectedSpan[];
  clear(): void;
  close(): Promise<void>;
}

interface JsonValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface JsonAttribute {
  key: string;
  value: JsonValue;
}

function valueOf(value: JsonValue): string | number | boolean {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.boolValue !== undefined) return value.boolValue;
  return value.doubleValue ?? '';
}

function attributesOf(list: JsonAttribute[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((attribute) => [attribute.key, valueOf(attribute.value)]));
}

export async function startOtlpCollector(): Promise<OtlpCollector> {
  const requests: OtlpCollector['requests'] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks),
      });
      // An empty ExportTraceServiceResponse: everything accepted.
      const json = request.headers['content-type']?.includes('json');
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tracesUrl: `http://127.0.0.1:${port}/v1/traces`,
    requests,
    spans() {
      return requests
        .filter((request) => request.contentType?.includes('json'))
        .flatMap((request) => {
          const body = JSON.parse(request.body.toString('utf8')) as {
            resourceSpans: {
              resource?: { attributes?: JsonAttribute[] };
              scopeSpans: {
                spans: {
                  traceId: string;
                  spanId: string;
                  parentSpanId?: string;
                  name: string;
                  kind: number;
                  attributes?: JsonAttribute[];
                  status?: { code?: number };
                }[];
              }[];
            }[];
          };
          return body.resourceSpans.flatMap((resourceSpans) => {
            const serviceName = attributesOf(resourceSpans.resource?.attributes)['service.name'];
            return resourceSpans.scopeSpans.flatMap((scope) =>
              scope.spans.map((span): CollectedSpan => ({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                attributes: attributesOf(span.attributes),
                statusCode: span.status?.code ?? 0,
                serviceName: typeof serviceName === 'string' ? serviceName : undefined,
              })),
            );
          });
        });
    },
    clear() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
