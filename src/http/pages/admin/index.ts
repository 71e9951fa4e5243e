import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import { dashboardPage } from './dashboard.ts';
import { userPages } from './users.ts';
import { webhookPages } from './webhooks.ts';

/**
 * The operator console under /admin. Every route takes the `operatorOnly()` preHandler
 * (test/http/pages/admin/access-control.test.ts walks the route table to prove it).
 */
export function adminPages(app: FastifyInstance, deps: CoreDeps): void {
  dashboardPage(app, deps);
  userPages(app, deps);
  webhookPages(app, deps);
}
