import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { onPath, stepSequence, submit } from '../support/e2e-steps.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * Passkeys in a real Chromium against a real server on http://localhost:PORT (so the RP ID is
 * `localhost`), with the DevTools WebAuthn virtual authenticator (CTAP2, internal transport,
 * resident keys, user verification, automatic presence) standing in for a platform
 * authenticator: register on /account; log out and log in with the button; log in by autofill;
 * a passkey as the second step after a password; user verification off -> refused; a counter
 * that goes backwards -> refused; re-authenticating with it before a sensitive change; remove it
 * (after confirming with the password) and its login fails; a passkey-only sign-up through
 * the mailed link. The steps share state and run in order.
 */

const email = `e2e-passkey-${randomUUID()}@example.com`;
const passkeyOnlyEmail = `e2e-passkey-only-${randomUUID()}@example.com`;
const passphrase = 'amber ferry crossing the silent bay';
const step = stepSequence();

interface Device {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}

describe('passkeys in a real browser (virtual authenticator)', () => {
  let smtp: SmtpCapture;
  let server: TestServer;
  let browser: Browser;
  let device: Device;

  /**
   * A browser with a virtual platform authenticator. Chromium's virtual authenticator answers an
   * autofill (conditional) request at once, so a device meant for the button steps reports no
   * autofill support, as browsers without conditional UI do; the autofill step uses its own page.
   */
  const newDevice = async (options: { autofill: boolean }): Promise<Device> => {
    const context = await browser.newContext({ baseURL: server.url });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    if (!options.autofill) await page.addInitScript("Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false })");
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { context, page, cdp, authenticatorId };
  };

  /** Replaces the device's authenticator by one with other user-verification abilities, keeping its passkeys. */
  const swapAuthenticator = async (target: Device, verification: { hasUserVerification: boolean; isUserVerified: boolean }): Promise<void> => {
    const { credentials } = await target.cdp.send('WebAuthn.getCredentials', { authenticatorId: target.authenticatorId });
    await target.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: target.authenticatorId });
    const { authenticatorId } = await target.cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, automaticPresenceSimulation: true, ...verification },
    });
    for (const credential of credentials) await target.cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    target.authenticatorId = authenticatorId;
  };

  const logOut = async (page: Page): Promise<void> => {
    await page.goto('/logout');
    await submit(page, page.locator('main').getByRole('button', { name: 'Log out' }), '/login');
  };

  /** Clicks "Sign in with a passkey" and waits for where the login lands. */
  const passkeyButton = async (page: Page, landsOn: string): Promise<void> => {
    await page.goto('/login');
    const button = page.getByRole('button', { name: 'Sign in with a passkey' });
    await button.waitFor({ state: 'visible' });
    await button.click();
    await page.waitForURL(onPath(landsOn));
  };

  before(async () => {
    smtp = await startSmtpCapture();
    const [started, launched] = await Promise.allSettled([
      startTestServer({ env: { GATEHOUSE_SMTP_HOST: smtp.host, GATEHOUSE_SMTP_PORT: String(smtp.port), GATEHOUSE_SMTP_TLS: 'none' } }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
    assert.equal(new URL(server.url).hostname, 'localhost', 'the RP ID must be localhost');
    device = await newDevice({ autofill: false });
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
      await smtp?.close();
    }
  });

  step('signs up with a password and logs in', async () => {
    const { page } = device;
    await page.goto('/signup');
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(passphrase);
    await submit(page, page.getByRole('button', { name: 'Sign up' }), '/verify');
    await page.goto('/login');
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(passphrase);
    await submit(page, page.getByRole('button', { name: 'Log in', exact: true }), '/account');
  });

  step('registers a passkey on /account, named, listed with its dates and kind', async () => {
    const { page } = device;
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Passkeys' }) });
    await assert.doesNotReject(card.getByText('You have no passkeys yet.').waitFor());
    await card.getByRole('link', { name: 'Add a passkey' }).click();
    await page.waitForURL(onPath('/account/passkeys/new'));
    await page.locator('#passkey-name').fill('Chromium key');
    await page.getByRole('button', { name: 'Create the passkey' }).click();
    await page.waitForURL(onPath('/account'));
    const row = page.locator('tr', { hasText: 'Chromium key' });
    await row.waitFor();
    assert.match(await row.innerText(), /never/);
    assert.match(await row.innerText(), /this device only|synced/);
    const { credentials } = await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]?.rpId, 'localhost');
    assert.equal(credentials[0]?.isResidentCredential, true);
  });

  step('logs out, then logs in with the "Sign in with a passkey" button', async () => {
    await logOut(device.page);
    await passkeyButton(device.page, '/account');
    await device.page.locator('tr', { hasText: 'Chromium key' }).waitFor();
    assert.doesNotMatch(await device.page.locator('tr', { hasText: 'Chromium key' }).innerText(), /never/, 'last used is set');
  });

  step('logs in by autofill (conditional UI on the email field)', async () => {
    // The same passkey on a browser with autofill: its authenticator gets a copy of the credential.
    const autofill = await newDevice({ autofill: true });
    try {
      const [credential] = (await device.cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId })).credentials;
      assert.ok(credential);
      await autofill.cdp.send('WebAuthn.addCredential', { authenticatorId: autofill.authenticatorId, credential });
      const loginPage = await (await fetch(`${server.url}/login`)).text();
      assert.match(loginPage, /<input id="email" name="email" type="email" autocomplete="username webauthn"/);
      // No click anywhere: the conditional request the page starts at load is answered by the
      // authenticator (Chromium's virtual one picks the passkey a person would pick from the
      // email field's suggestions), and the page posts it.
      await autofill.page.goto('/login', { waitUntil: 'commit' });
      await autofill.page.waitForURL(onPath('/account'));
      // Carry the counter back to the first device's copy, as a synced passkey would.
      const [used] = (await autofill.cdp.send('WebAuthn.getCredentials', { authenticatorId: autofill.authenticatorId })).credentials;
      assert.ok(used && used.signCount > credential.signCount);
      await device.cdp.send('WebAuthn.removeCredential', { authenticatorId: device.authenticatorId, credentialId: credential.credentialId });
      await device.cdp.send('WebAuthn.addCredential', { authenticatorId: device.authenticatorId, credential: used });
    } finally {
      await autofill.context.close();
    }
  });

  step('with TOTP on, a password login asks for a second step, and the passkey completes it', async () => {
    const { page } = device;
    // TOTP straight through the store (its own browser test is two-factor.e2e.test.ts): it makes the second step.
    const user = await server.gatehouse.store.users.findByEmail(email);
    assert.ok(user);
    await server.gatehouse.store.totp.putPending({ userId: user.id, secretJwe: 'unused', createdAtMs: Date.now(), confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: null });
    assert.equal(await server.gatehouse.store.totp.confirm(user.id, Date.now(), 1), true);
    await logOut(page);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(passphrase);
    await submit(page, page.getByRole('button', { name: 'Log in', exact: true }), '/login/second-factor');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(onPath('/account'));
    await server.gatehouse.store.totp.delete(user.id);
  });

  step('with user verification off, the passkey login is refused (docs/security.md SEC-175)', async () => {
    const { page, cdp } = device;
    await logOut(page);
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: device.authenticatorId, isUserVerified: false });
    // Chromium itself refuses: the options require user verification.
    await page.goto('/login');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.locator('[data-passkey-status]').filter({ hasText: /.+/ }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    // The same passkey on an authenticator that cannot verify the user at all, behind a tampered
    // page that asks for "preferred" (and names the credential, which a discoverable credential
    // protected by credProtect needs without user verification): the answer reaches the server
    // without the UV flag, and the server refuses it.
    await swapAuthenticator(device, { hasUserVerification: false, isUserVerified: false });
    const [credential] = (await cdp.send('WebAuthn.getCredentials', { authenticatorId: device.authenticatorId })).credentials;
    assert.ok(credential);
    const allow = `[{&quot;id&quot;:&quot;${Buffer.from(credential.credentialId, 'base64').toString('base64url')}&quot;,&quot;type&quot;:&quot;public-key&quot;}]`;
    try {
      await page.route('**/login', async (route) => {
        const response = await route.fetch();
        const body = (await response.text())
          .replace('&quot;userVerification&quot;:&quot;required&quot;', '&quot;userVerification&quot;:&quot;preferred&quot;')
          .replace('&quot;allowCredentials&quot;:[]', `&quot;allowCredentials&quot;:${allow}`);
        await route.fulfill({ response, body });
      });
      await page.goto('/login');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByText('That passkey could not be used to log in.').waitFor();
      const failures = await server.gatehouse.store.audit.list({ limit: 50 });
      assert.ok(failures.some((e) => e.type === 'passkey.failed' && /user_not_verified/.test(e.detail ?? '')), 'the server refused it for want of user verification');
    } finally {
      await page.unroute('**/login');
      await swapAuthenticator(device, { hasUserVerification: true, isUserVerified: true });
    }
  });

  step('a signature counter that goes backwards is refused (docs/security.md SEC-176)', async () => {
    const { cdp, authenticatorId } = device;
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    const credential = credentials[0];
    assert.ok(credential && credential.signCount > 1, `signCount ${String(credential?.signCount)}`);
    // A clone of the authenticator from before its last uses: same key, an older counter.
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credential, signCount: 0 } });
    await passkeyButton(device.page, '/login');
    await device.page.getByText('That passkey could not be used to log in.').waitFor();
    const failures = await server.gatehouse.store.audit.list({ limit: 50 });
    assert.ok(failures.some((e) => e.type === 'passkey.failed' && /counter_regression/.test(e.detail ?? '')));
    // The real authenticator, ahead of the clone, still works.
    await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId: credential.credentialId });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: { ...credential, signCount: credential.signCount + 10 } });
    await passkeyButton(device.page, '/account');
  });

  step('re-authenticates with the passkey: adding a passkey after the window asks "confirm it is you", and the passkey answers it (docs/security.md SEC-192)', async () => {
    const { page } = device;
    const user = await server.gatehouse.store.users.findByEmail(email);
    assert.ok(user);
    // Age every session of the account past the re-authentication window (5 minutes).
    for (const session of await server.gatehouse.store.sessions.listByUser(user.id)) {
      await server.gatehouse.store.sessions.recordAuthentication(session.id, Date.now() - 3_600_000, session.amr);
    }
    await page.goto('/account/passkeys/new');
    await page.waitForURL(onPath('/account/reauth'));
    const button = page.getByRole('button', { name: 'Confirm with a passkey' });
    await button.waitFor({ state: 'visible' });
    await button.click();
    await page.waitForURL(onPath('/account/passkeys/new'));
    await page.getByRole('button', { name: 'Create the passkey' }).waitFor();
    const audit = await server.gatehouse.store.audit.list({ limit: 20, userId: user.id });
    assert.ok(audit.some((e) => e.type === 'reauth.succeeded' && /^passkey_/.test(e.detail ?? '')), 'the re-authentication was the passkey');
  });

  step('removes the passkey on /account, after "confirm it is you" (docs/security.md SEC-227); then its login fails', async () => {
    const { page } = device;
    const user = await server.gatehouse.store.users.findByEmail(email);
    assert.ok(user);
    // Past the re-authentication window again: Remove sends the browser to confirm first, then back.
    for (const session of await server.gatehouse.store.sessions.listByUser(user.id)) {
      await server.gatehouse.store.sessions.recordAuthentication(session.id, Date.now() - 3_600_000, session.amr);
    }
    await page.goto('/account');
    await submit(page, page.getByRole('button', { name: 'Remove passkey Chromium key' }), '/account/reauth');
    assert.equal((await server.gatehouse.store.passkeys.listByUser(user.id)).length, 1, 'not removed before confirming');
    await page.locator('#reauth-password').fill(passphrase);
    await submit(page, page.getByRole('button', { name: 'Confirm', exact: true }), '/account');
    await submit(page, page.getByRole('button', { name: 'Remove passkey Chromium key' }), '/account');
    await page.getByText('You have no passkeys yet.').waitFor();
    await logOut(page);
    await passkeyButton(page, '/login');
    await page.getByText('That passkey could not be used to log in.').waitFor();
  });

  step('signs up with a passkey only: the address confirmed by the mailed link, then the passkey instead of a password (docs/security.md SEC-185)', async () => {
    const other = await newDevice({ autofill: false });
    try {
      const { page } = other;
      await page.goto('/signup');
      await page.getByRole('link', { name: 'Sign up with a passkey instead' }).click();
      await page.waitForURL(onPath('/signup/passkey'));
      await page.locator('#email').fill(passkeyOnlyEmail);
      await submit(page, page.getByRole('button', { name: 'Send me the link' }), '/verify');
      assert.equal(await server.gatehouse.store.users.findByEmail(passkeyOnlyEmail), null, 'no account before the passkey');
      const mail = await smtp.next(passkeyOnlyEmail, 'Confirm');
      await page.goto(linkIn(mail, '/signup/passkey/finish').href);
      await page.waitForURL((url) => url.pathname === '/signup/passkey/finish' && url.search === '');
      await page.locator('#passkey-name').fill('Only key');
      await page.getByRole('button', { name: 'Create the passkey' }).click();
      await page.waitForURL(onPath('/account'));
      await page.locator('tr', { hasText: 'Only key' }).waitFor();
      await page.getByText('This account has no password').waitFor();
      // The last way to log in cannot be removed (docs/security.md SEC-181).
      await page.getByRole('button', { name: 'Remove passkey Only key' }).click();
      await page.getByText('This is the only way left to log in to this account').waitFor();
      await logOut(page);
      await passkeyButton(page, '/account');
    } finally {
      await other.context.close();
    }
  });
});
