/**
 * A real HTTP receiver on port 0 that records every request and answers however the
 * test says, switchable mid-test: a status, a body, a delay, or hanging forever.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { track } from './running.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

export interface Reply {
  status?: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (until the receiver closes). */
  hang?: boolean;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Sets the reply for the next requests (or a function of the request). */
  reply(reply: Reply | ((request: ReceivedRequest) => Reply)): void;
  /** Waits until at least `count` requests arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startReceiver(initial: Reply = { status: 200, body: 'ok' }): Promise<Receiver> {
  let current: Reply | ((request: ReceivedRequest) => Reply) = initial;
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
      };
      requests.push(received);
      for (const wake of waiters) wake();
      const reply = typeof current === 'function' ? current(received) : current;
      if (reply.hang) {
        hanging.add(res);
        return;
      }
      setTimeout(() => {
        res.writeHead(reply.status ?? 200, reply.headers ?? {});
        res.end(reply.body ?? '');
      }, reply.delayMs ?? 0);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    stopped();
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const stopped = track({ what: `receiver ${url}`, stop: close });

  return {
    url,
    requests,
    reply(next) {
      current = next;
    },
    waitForRequests(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(requests.slice());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Expected ${count} requests within ${timeoutMs} ms, got ${requests.length}.`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close,
  };
}
