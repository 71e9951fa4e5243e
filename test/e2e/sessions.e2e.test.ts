import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startWithChromium } from '../support/browser.ts';
import { onPath, stepSequence, submit } from '../support/e2e-steps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * The session lifecycle in a real Chromium against a real server (SQLite file, TCP listener):
 * sign up, log out, log in; a second device logs in; the first revokes it from /account; the
 * second is signed out on its next request. The steps share state and run in order.
 */

const sessionCookieName = '__Host-gatehouse_session';
const screenshotPath = '/tmp/gatehouse-account.png';
const email = `e2e-${randomUUID()}@example.com`;
const passphrase = 'lantern orbit marmalade quietly seventeen';

async function logIn(page: Page): Promise<void> {
  await page.goto('/login');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(passphrase);
  await submit(page, page.getByRole('button', { name: 'Log in' }), '/account');
}

/** A fresh browser profile: its own cookie jar, like a second device. */
async function newDevice(browser: Browser, baseURL: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL });
  // Every step takes well under a second; a broken one should fail in seconds, not after 30 s,
  // with headroom for a loaded 2-core CI machine.
  context.setDefaultTimeout(15_000);
  return { context, page: await context.newPage() };
}

async function sessionIdOf(page: Page): Promise<string> {
  const response = await page.request.get('/v1/session');
  assert.equal(response.status(), 200, await response.text());
  const body = (await response.json()) as { session: { id: string } };
  return body.session.id;
}

const step = stepSequence();

describe('sessions in a real browser', () => {
  // Assigned in before(); after() copes with either missing when start-up failed.
  let server: TestServer;
  let browser: Browser;
  let contextA: BrowserContext;
  let contextB: BrowserContext;
  let pageA: Page;
  let pageB: Page;

  before(async () => {
    ({ server, browser } = await startWithChromium(() => startTestServer()));
    ({ context: contextA, page: pageA } = await newDevice(browser, server.url));
  });

  after(async () => {
    // The browser first, so no request is in flight when the server stops; the server even if
    // closing the browser throws.
    try {
      await browser?.close();
    } finally {
      await server?.close();
    }
  });

  step('signs up, logs in, logs out through the confirmation page, and logs back in', async () => {
    await pageA.goto('/signup');
    await pageA.locator('#email').fill(email);
    await pageA.locator('#password').fill(passphrase);
    // Sign-up never logs in (the same page whether or not the address had an account); this
    // server lets an unverified account log in, so the password logs in at once.
    await submit(pageA, pageA.getByRole('button', { name: 'Sign up' }), '/verify');
    await logIn(pageA);
    assert.equal(await pageA.locator('main strong').first().textContent(), email);

    await pageA.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log out' }).click();
    await pageA.waitForURL(onPath('/logout'));
    await submit(pageA, pageA.locator('main').getByRole('button', { name: 'Log out' }), '/login');
    assert.equal((await contextA.cookies()).find((c) => c.name === sessionCookieName), undefined, 'logging out clears the cookie');

    await logIn(pageA);
    assert.equal(await pageA.locator('main strong').first().textContent(), email);
  });

  step('stores the session cookie as __Host-, HttpOnly, Secure, SameSite=Lax, host-only', async () => {
    const cookies = await contextA.cookies(server.url);
    const session = cookies.find((c) => c.name === sessionCookieName);
    assert.ok(session, `no ${sessionCookieName} cookie among ${cookies.map((c) => c.name).join(', ')}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    // Host-only: no leading dot, so no other host (or subdomain) receives it.
    assert.equal(session.domain, 'localhost');
    assert.ok(session.expires > Date.now() / 1000, 'a persistent cookie with a future expiry');

    // A readable cookie next to it proves document.cookie works here, so its silence about the
    // session is HttpOnly at work and not an empty cookie jar.
    await contextA.addCookies([{ name: 'probe', value: 'visible', url: server.url }]);
    const visibleToScript = String(await pageA.evaluate('document.cookie'));
    assert.match(visibleToScript, /probe=visible/);
    assert.doesNotMatch(visibleToScript, /gatehouse_session/);
    await contextA.clearCookies({ name: 'probe' });
  });

  step('a second device logs in with the same account', async () => {
    ({ context: contextB, page: pageB } = await newDevice(browser, server.url));
    await logIn(pageB);
    assert.equal(await pageB.locator('main strong').first().textContent(), email);
  });

  step('the first device sees both sessions and revokes the other one', async () => {
    const idA = await sessionIdOf(pageA);
    const idB = await sessionIdOf(pageB);
    assert.notEqual(idA, idB);

    await pageA.reload();
    const rows = pageA.locator('tr[data-session-id]');
    assert.equal(await rows.count(), 2);
    const current = rows.filter({ hasText: 'this device' });
    assert.equal(await current.getAttribute('data-session-id'), idA);
    await pageA.screenshot({ path: screenshotPath, fullPage: true });

    const other = rows.filter({ hasNotText: 'this device' });
    assert.equal(await other.getAttribute('data-session-id'), idB);
    await submit(pageA, other.getByRole('button', { name: /^Revoke/ }), '/account');
    assert.equal(new URL(pageA.url()).searchParams.get('done'), 'session-revoked');
    assert.match((await pageA.getByRole('status').textContent()) ?? '', /session was revoked/);
    assert.equal(await rows.count(), 1);
    assert.equal(await rows.getAttribute('data-session-id'), idA);
  });

  step('the revoked device is signed out on its next request', async () => {
    // The browser still holds its cookie: the 401 below is the server refusing a revoked
    // session, not a missing cookie.
    assert.ok((await contextB.cookies()).some((c) => c.name === sessionCookieName));
    await pageB.goto('/account');
    assert.equal(new URL(pageB.url()).pathname, '/login');
    const response = await pageB.request.get('/v1/session');
    assert.equal(response.status(), 401);

    // The first device is untouched.
    assert.equal((await pageA.request.get('/v1/session')).status(), 200);
  });
});
