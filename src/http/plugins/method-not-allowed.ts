import type { FastifyInstance, HTTPMethods } from 'fastify';
import { problem, sendProblem } from './problem.ts';

const allMethods: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * Fastify answers 404 for a known path with an unknown method. This records every route as it
 * is added and, once all are in, answers the other methods of each path with 405 and `Allow`
 * (so a state change attempted by GET gets 405, docs/security.md SEC-18).
 */
export function collectRoutesForMethodNotAllowed(app: FastifyInstance): { routes: ReadonlyMap<string, ReadonlySet<string>>; finish: () => void } {
  const methodsByPath = new Map<string, Set<string>>();
  let finished = false;
  app.addHook('onRoute', (route) => {
    if (finished) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = methodsByPath.get(route.url) ?? new Set<string>();
    for (const m of methods) set.add(m);
    methodsByPath.set(route.url, set);
  });
  const finish = (): void => {
    finished = true;
    for (const [path, methods] of methodsByPath) {
      // The console answers every other method with the plain 404, like any unknown URL: a 405
      // with `Allow` would tell the public that /admin exists (docs/security.md SEC-270).
      if (path === '/admin' || path.startsWith('/admin/')) continue;
      const missing = allMethods.filter((m) => !methods.has(m));
      if (missing.length === 0) continue;
      const allow = allMethods.filter((m) => methods.has(m)).join(', ');
      app.route({
        method: missing,
        url: path,
        schema: { hide: true },
        handler: (_request, reply) => sendProblem(reply.header('allow', allow), problem('method_not_allowed')),
      });
    }
  };
  return { routes: methodsByPath, finish };
}
