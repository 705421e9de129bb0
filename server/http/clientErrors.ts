/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers too large, headers
 * or a body too slow, bytes that are not HTTP) still get REST's one error shape, written
 * straight to the socket, which is then closed: there is no request to answer otherwise.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.ts';

/** What the parser's error codes mean to the client. */
function toAppError(error: NodeJS.ErrnoException): AppError {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return new AppError(
      'headers_too_large',
      'The request headers are larger than the server accepts; send fewer or shorter ones.',
    );
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new AppError('request_timeout', 'The request did not arrive in time; the connection is closed.');
  return new AppError('bad_request', 'The request could not be read as HTTP.');
}

/** Fastify's `clientErrorHandler` (called with the app as `this`, for its logger). */
export function answerClientError(
  this: { log: FastifyBaseLogger },
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  // A connection the client reset has nothing left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = toAppError(error);
  this.log.debug({ err: error }, `Refused a request the HTTP parser could not take: ${answer.code}.`);
  if (socket.writable) {
    const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
    socket.write(
      `HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
