import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import type { TokenDeps } from '../../../core/tokens/issue-access-token.ts';
import type { AppConfig } from '../../app-config.ts';
import type { InspectorAudience } from '../../inspector/inspector-access.ts';
import { auditPages } from './audit.ts';
import { clientPages } from './clients.ts';
import { keyPages } from './keys.ts';
import { dashboardPage } from './dashboard.ts';
import { inspectorElsewherePage } from './inspector-elsewhere.ts';
import { settingsPage } from './settings.ts';
import { shownOnce } from './shown-once.ts';
import { userPages } from './users.ts';
import { webhookPages } from './webhooks.ts';

/**
 * The operator console under /admin, in its own plugin scope. Every route takes the
 * `operatorOnly()` preHandler (test/http/pages/admin/access-control.test.ts walks the route
 * table to prove it). `inspector`: who the inspector is on for; with `operators` it serves
 * /admin/inspector itself (src/http/inspector), otherwise that page says where it is or how to turn it on.
 */
export async function adminPages(app: FastifyInstance, deps: CoreDeps, tokens: TokenDeps, config: AppConfig, inspector?: InspectorAudience): Promise<void> {
  await app.register(formbody, { bodyLimit: 16_384 });
  const consoleConfig = config.console ?? {};
  const once = shownOnce(deps, consoleConfig.shownOnceKeys);
  dashboardPage(app, deps, consoleConfig);
  userPages(app, deps);
  auditPages(app, deps);
  clientPages(app, deps, once);
  keyPages(app, deps, tokens);
  settingsPage(app, deps, consoleConfig);
  webhookPages(app, deps, once, consoleConfig.webhookKeys);
  if (inspector !== 'operators') inspectorElsewherePage(app, deps, inspector === 'everyone');
}
