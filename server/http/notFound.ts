/**
 * Unknown paths: 404, or 405 with an `Allow` header when the path exists for other
 * methods. Browsers asking for a dashboard page get the dashboard's index.html.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { AppError } from '../errors.ts';
import { sendError } from './errorHandler.ts';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export function installNotFoundHandler(
  app: FastifyInstance,
  options: { spaIndex: (() => Promise<Buffer | null>) | null },
) {
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = METHODS.filter(
      (method) => method !== request.method && app.findRoute({ method, url: path }) !== null,
    );
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendError(
        reply,
        new AppError('method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(' or ')}.`),
      );
    }
    const wantsPage = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (wantsPage && options.spaIndex && !/^\/(api|webhooks|graphql|docs|redoc)(\/|$)/.test(path)) {
      const index = await options.spaIndex();
      if (index) return reply.type('text/html; charset=utf-8').send(index);
    }
    return sendError(reply, new AppError('not_found', `Nothing at ${request.method} ${path}.`));
  });
}
