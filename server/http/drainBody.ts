/**
 * Reads and drops what is left of a request's body before an early answer (413, 503,
 * 401…). Answering while the client is still writing, then closing, makes most clients
 * (Node's fetch, curl without `Expect: 100-continue`, Python's requests) fail with a
 * broken pipe instead of reading the answer. Bounded: past `maxBytes` or `timeoutMs`
 * the connection is closed after the answer anyway.
 */
import type { IncomingMessage } from 'node:http';

/** Resolves true once the body was read to its end, false when it was not worth it. */
export function drainBody(raw: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<boolean> {
  if (raw.complete || raw.readableEnded) return Promise.resolve(true);
  const declared = Number(raw.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onFail);
      raw.off('close', onClose);
      resolve(drained);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onFail = () => finish(false);
    const onClose = () => finish(raw.complete);
    const timer = setTimeout(onFail, timeoutMs);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('error', onFail);
    raw.once('close', onClose);
    raw.resume();
  });
}
