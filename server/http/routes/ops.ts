/** Liveness, readiness and Prometheus metrics, for orchestrators and monitoring. */
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../runtime.ts';

export async function opsRoutes(app: FastifyInstance, rt: Runtime) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await rt.pool.query('select 1');
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ error: { code: 'unavailable', message: 'The database is not reachable.' } });
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(rt.metrics.registry.contentType);
    return rt.metrics.registry.metrics();
  });
}
