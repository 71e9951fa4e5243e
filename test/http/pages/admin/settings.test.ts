import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectiveSettings } from '../../../../src/config/effective-settings.ts';
import { loadConfig } from '../../../../src/config/load-config.ts';
import { testPassword } from '../../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, withSession } from '../../../support/http-app.ts';
import { makeConsoleOperator } from '../../../support/operators.ts';

/** GET /admin/settings and the dashboard's mail-queue tile (src/http/pages/admin/settings.ts, dashboard.ts). */

const serverSecret = 'a-server-secret-of-more-than-32-characters-0123';

describe('console: settings and dashboard', () => {
  it('shows the effective configuration with no secret in the page (SEC-279); the dashboard shows its counts', async () => {
    const config = loadConfig({ env: { GATEHOUSE_SECRET: serverSecret, GATEHOUSE_PUBLIC_URL: 'https://auth.test', GATEHOUSE_SMTP_HOST: 'smtp.example.com', GATEHOUSE_SMTP_PASSWORD: 'smtp-password-9012' } });
    const t = await createTestApp({ config: { console: { settings: effectiveSettings(config), mailQueue: () => ({ pending: 3, failed: 1 }) } } });
    try {
      const token = await signUpThroughApi(t.app, 'settings-op@example.com', testPassword);
      await makeConsoleOperator(t.core, (await t.core.store.users.findByEmail('settings-op@example.com'))!.id);
      const page = await t.app.inject({ method: 'GET', url: '/admin/settings', headers: { accept: 'text/html', ...withSession(token) } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /GATEHOUSE_CONSOLE_IDLE_TIMEOUT_SECONDS/);
      assert.match(page.body, /smtp\.example\.com/);
      assert.ok(!page.body.includes(serverSecret) && !page.body.includes('smtp-password-9012'));
      const now = t.core.clock.nowMs();
      await t.core.store.deliveries.enqueue({ id: 'msg_backlog', kind: 'webhook', targetUrl: 'https://hooks.example.com/', payload: '{}', subject: 'ep_x', createdAtMs: now, nextAttemptAtMs: now });
      const dashboard = await t.app.inject({ method: 'GET', url: '/admin', headers: { accept: 'text/html', ...withSession(token) } });
      assert.equal(dashboard.statusCode, 200);
      assert.match(dashboard.body, /<dt>Users<\/dt><dd><a href="\/admin\/users">1<\/a><\/dd>/);
      assert.match(dashboard.body, /<dt>Mail queue \(sending, given up\)<\/dt><dd>3, 1<\/dd>/);
      assert.match(dashboard.body, /<dt>Webhook backlog \(pending, dead\)<\/dt><dd><a href="\/admin\/webhooks">1, 0<\/a><\/dd>/, 'counted by the outbox, linked to its page');
    } finally {
      await t.close();
    }
  });
});
