/**
 * Every route the app serves, as `METHOD /path` (the HEAD routes Fastify adds beside GETs
 * left out), so that the authorization matrix test can require a rule for each: a route
 * added without one fails the build.
 */
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Filled as routes are added; complete once the app is ready. */
    routeTable: readonly string[];
  }
}

/** Call first, before any route or plugin is registered. */
export function recordRoutes(app: FastifyInstance): void {
  const routes: string[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
}
