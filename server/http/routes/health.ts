/**
 * /healthz and /readyz on the public port too, for load balancers that probe the port
 * they route to; the same answers as the operations listener's (ops/opsServer.ts).
 * /metrics is served only there.
 */
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../../runtime.ts';

export async function healthRoutes(app: FastifyInstance, rt: Runtime) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const problems = await rt.readiness.check();
    if (problems.length === 0) return { status: 'ready' };
    return reply.status(503).send({ error: { code: 'unavailable', message: problems.join(' ') } });
  });
}
