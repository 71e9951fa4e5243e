import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { grantOperator } from '../../src/core/operators/set-operator.ts';
import { totpCodeAt } from '../../src/core/otp/totp.ts';
import { startWithChromium } from '../support/browser.ts';
import { createManualClock, type ManualClock } from '../support/core-deps.ts';
import { onPath, stepSequence, submit, turnOnTotp, logInWithPassword, signUpByApi } from '../support/e2e-steps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * The inspector in production mode (GATEHOUSE_INSPECTOR=admins) in a real Chromium: it lives in
 * the operator console at /admin/inspector, not at /dev/inspector; an operator with TOTP opens it
 * from the console's navigation and its script, under the same strict CSP, follows the stream at
 * the console path: another browser's login appears live.
 */

const run = randomUUID().slice(0, 8);
const operatorEmail = `inspector-op-${run}@example.com`;
const userEmail = `inspector-user-${run}@example.com`;
const passphrase = 'amber orchard whistling at dawn';
const step = stepSequence();

describe('the inspector inside the operator console, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let clock: ManualClock;
  let operator: { context: BrowserContext; page: Page };
  let user: { context: BrowserContext; page: Page };
  const cspErrors: string[] = [];

  const newDevice = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 375, height: 812 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    return { context, page };
  };
  const logIn = (page: Page, email: string): Promise<void> => logInWithPassword(page, email, passphrase);
  const signUp = (page: Page, email: string): Promise<void> => signUpByApi(page, email, passphrase);

  before(async () => {
    clock = createManualClock(Date.now());
    ({ server, browser } = await startWithChromium(() => startTestServer({ clock, env: { GATEHOUSE_INSPECTOR: 'admins' } })));
    operator = await newDevice();
    user = await newDevice();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
    }
  });

  step('an operator with TOTP logs in with both factors', async () => {
    const { page } = operator;
    await signUp(page, operatorEmail);
    await logIn(page, operatorEmail);
    await page.waitForURL(onPath('/account'));
    assert.equal((await page.goto('/admin/inspector'))?.status(), 404, 'not an operator: no inspector');
    const secret = await turnOnTotp(page, clock.nowMs());
    const account = (await server.gatehouse.store.users.findByEmail(operatorEmail))!;
    assert.equal(await grantOperator(server.gatehouse.deps, account.id, { ip: 'cli', userAgent: 'gatehouse-cli' }), true);
    await page.goto('/logout');
    await submit(page, page.locator('main').getByRole('button', { name: 'Log out' }), '/login');
    await logIn(page, operatorEmail);
    await page.waitForURL(onPath('/login/second-factor'));
    clock.advance(30_000);
    await page.locator('#code').fill(totpCodeAt(secret, clock.nowMs()));
    await submit(page, page.getByRole('button', { name: 'Verify' }), '/account');
  });

  step('the console names the inspector; it opens at /admin/inspector and goes live; /dev/inspector does not exist', async () => {
    const { page } = operator;
    assert.equal((await page.goto('/dev/inspector'))?.status(), 404);
    await page.goto('/admin');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Inspector' }).click();
    await page.waitForURL(onPath('/admin/inspector'));
    await page.getByRole('heading', { name: 'Inspector', level: 1 }).waitFor();
    await page.getByText('Live: new traces appear at the top').waitFor();
  });

  step("another browser's login appears live in the console's inspector", async () => {
    const logins = operator.page.locator('article.trace', { has: operator.page.locator('h3', { hasText: 'POST /login' }) });
    const shownBefore = await logins.count();
    await signUp(user.page, userEmail);
    await logIn(user.page, userEmail);
    await user.page.waitForURL(onPath('/account'));
    // New traces go on top without a reload: one more login trace than the page was served with.
    await logins.nth(shownBefore).waitFor();
    const trace = logins.first();
    assert.match((await trace.textContent()) ?? '', /Cookie set: __Host-gatehouse_session/);
  });

  step('nothing was refused by a Content-Security-Policy', () => {
    assert.deepEqual(cspErrors, []);
    return Promise.resolve();
  });
});
