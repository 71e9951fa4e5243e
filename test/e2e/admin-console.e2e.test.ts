import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { grantOperator } from '../../src/core/operators/set-operator.ts';
import { totpCodeAt } from '../../src/core/otp/totp.ts';
import { startWithChromium } from '../support/browser.ts';
import { createManualClock, type ManualClock } from '../support/core-deps.ts';
import { onPath, stepSequence, submit, turnOnTotp, logInWithPassword, signUpByApi } from '../support/e2e-steps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * The operator console in a real Chromium against a real server (SQLite file, TCP listener):
 * an operator logs in with a password and TOTP, finds a user, revokes their session (their own
 * browser, another context, is signed out on its next request), registers a client and rotates
 * its secret (shown once), exports the audit as CSV, and finds the console locked after 15 idle
 * minutes. The steps share state and run in order.
 */

const run = randomUUID().slice(0, 8);
const operatorEmail = `op-${run}@example.com`;
const victimEmail = `victim-${run}@example.com`;
const passphrase = 'granite harbour lantern seventeen';
const step = stepSequence();

describe('the operator console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let clock: ManualClock;
  let operator: { context: BrowserContext; page: Page };
  let victim: { context: BrowserContext; page: Page };
  let totpSecret = '';

  const newDevice = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 375, height: 812 }, acceptDownloads: true });
    context.setDefaultTimeout(15_000);
    return { context, page: await context.newPage() };
  };
  const logIn = (page: Page, email: string): Promise<void> => logInWithPassword(page, email, passphrase);
  const signUp = (page: Page, email: string): Promise<void> => signUpByApi(page, email, passphrase);

  before(async () => {
    clock = createManualClock(Date.now());
    ({ server, browser } = await startWithChromium(() => startTestServer({ clock })));
    operator = await newDevice();
    victim = await newDevice();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
    }
  });

  step('an operator account with TOTP on; made an operator from the CLI side (grantOperator)', async () => {
    const { page } = operator;
    await signUp(page, operatorEmail);
    await logIn(page, operatorEmail);
    await page.waitForURL(onPath('/account'));
    assert.equal((await page.goto('/admin'))?.status(), 404, 'not an operator yet: the console does not exist');
    totpSecret = await turnOnTotp(page, clock.nowMs());
    const user = (await server.gatehouse.store.users.findByEmail(operatorEmail))!;
    assert.equal(await grantOperator(server.gatehouse.deps, user.id, { ip: 'cli', userAgent: 'gatehouse-cli' }), true);
  });

  step('logs in again with the password and a TOTP code, and opens the console', async () => {
    const { page } = operator;
    await page.goto('/logout');
    await submit(page, page.locator('main').getByRole('button', { name: 'Log out' }), '/login');
    await logIn(page, operatorEmail);
    await page.waitForURL(onPath('/login/second-factor'));
    clock.advance(30_000);
    await page.locator('#code').fill(totpCodeAt(totpSecret, clock.nowMs()));
    await submit(page, page.getByRole('button', { name: 'Verify' }), '/account');
    assert.equal((await page.goto('/admin'))?.status(), 200);
    await page.getByRole('heading', { name: 'Operator console' }).waitFor();
  });

  step("finds a user by email prefix and revokes their session: the user's own browser is signed out", async () => {
    await signUp(victim.page, victimEmail);
    await logIn(victim.page, victimEmail);
    await victim.page.waitForURL(onPath('/account'));

    const { page } = operator;
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await page.locator('#user-q').fill(`victim-${run}`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: victimEmail }).click();
    await page.getByRole('heading', { name: victimEmail }).waitFor();
    assert.equal(await page.locator('[data-session-id]').count(), 1);
    await submit(page, page.getByRole('button', { name: /^Revoke session/ }), page.url().replace(/^https?:\/\/[^/]+/, '').split('?')[0]!);
    await page.getByText('that device is signed out').waitFor();
    assert.equal(await page.locator('[data-session-id]').count(), 0);

    await victim.page.goto('/account');
    await victim.page.waitForURL(onPath('/login'));
  });

  step('registers a client, whose secret is shown once, and rotates it', async () => {
    const { page } = operator;
    await page.goto('/admin/clients');
    await page.locator('#client-name').fill('Nightly reports');
    await page.locator('#client-type').selectOption('confidential');
    await page.getByLabel('client_credentials').check();
    await page.getByRole('button', { name: 'Register the client' }).click();
    const first = (await page.locator('[data-client-secret]').textContent()) ?? '';
    assert.match(first, /^[A-Za-z0-9_-]{43}$/);
    const clientId = (await page.locator('dl.detail dd code').first().textContent()) ?? '';
    await page.goto(`/admin/clients/${encodeURIComponent(clientId)}`);
    assert.equal(await page.locator('[data-client-secret]').count(), 0, 'the client page does not show it again');
    await page.getByRole('button', { name: 'Rotate the secret' }).click();
    const second = (await page.locator('[data-client-secret]').textContent()) ?? '';
    assert.match(second, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(second, first);
    // Shown after a redirect: a reload is a GET of the client page, which rotates nothing and shows nothing (SEC-282).
    const hash = (await server.gatehouse.store.clients.findById(clientId))?.secretHash;
    await page.reload();
    assert.equal(await page.locator('[data-client-secret]').count(), 0, 'not shown twice');
    assert.equal((await server.gatehouse.store.clients.findById(clientId))?.secretHash, hash, 'not rotated again');
  });

  step('exports the audit as CSV: the revocation is in it, with the operator as the actor', async () => {
    const { page } = operator;
    await page.goto('/admin/audit');
    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export as CSV' }).click();
    const download = await downloading;
    assert.match(download.suggestedFilename(), /^gatehouse-audit-.+\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    assert.ok(csv.startsWith('time,event,user_id,email,ip,user_agent,actor_id,detail\r\n'));
    const operatorId = (await server.gatehouse.store.users.findByEmail(operatorEmail))!.id;
    // An id that starts with '-' (one in 64: base64url) is exported as '-..., neutralised against
    // formula injection like every such cell (SEC-275), so either form names the operator.
    const actorCells = [`"${operatorId}"`, `"'${operatorId}"`];
    assert.ok(csv.split('\r\n').some((line) => line.includes('"session.revoked"') && actorCells.some((cell) => line.includes(cell))), csv.slice(0, 2000));
  });

  step('after 15 idle minutes the console asks for a re-authentication', async () => {
    const { page } = operator;
    clock.advance(16 * 60_000);
    await page.goto('/admin/users');
    await page.waitForURL(onPath('/account/reauth'));
    assert.equal(new URL(page.url()).searchParams.get('return_to'), '/admin/users');
    await page.locator('#reauth-password').fill(passphrase);
    await submit(page, page.getByRole('button', { name: 'Confirm', exact: true }), '/admin/users');
    await page.getByRole('heading', { name: 'Users' }).waitFor();
  });
});
