import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCodeAt } from '../../src/core/otp/totp.ts';
import { launchChromium } from '../support/browser.ts';
import { onPath, stepSequence, submit } from '../support/e2e-steps.ts';
import { createManualClock, type ManualClock } from '../support/core-deps.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * Mail, verification, TOTP and reset in a real Chromium against a real server whose mails go
 * through nodemailer to a real SMTP server on loopback: sign up and open the link from the
 * mail; enrol TOTP computing codes from the key shown; log out, log in with password + TOTP;
 * log in with a recovery code; reset the password from the mailed link, and see the other
 * browser's session end. The server's clock is a manual one, moved a TOTP step at a time (a
 * code is accepted once per step), never slept on. The steps share state and run in order.
 */

const email = `e2e-2fa-${randomUUID()}@example.com`;
const passphrase = 'copper lantern drifting over quiet hills';
const newPassphrase = 'seven orange kites above the harbour';
const stepMs = 30_000;
const step = stepSequence();

describe('mail, verification, TOTP and reset in a real browser', () => {
  let smtp: SmtpCapture;
  let server: TestServer;
  let browser: Browser;
  let clock: ManualClock;
  let contextA: BrowserContext;
  let contextB: BrowserContext;
  let pageA: Page;
  let pageB: Page;
  let secret = '';
  let recoveryCodes: string[] = [];

  const newDevice = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ baseURL: server.url });
    context.setDefaultTimeout(15_000);
    return { context, page: await context.newPage() };
  };

  async function passwordStep(page: Page, password: string): Promise<void> {
    await page.goto('/login');
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await submit(page, page.getByRole('button', { name: 'Log in' }), '/login/second-factor');
  }

  before(async () => {
    // A real start (the manual clock begins at the real time, so cookies and mails look normal).
    clock = createManualClock(Date.now());
    smtp = await startSmtpCapture();
    const [started, launched] = await Promise.allSettled([
      startTestServer({
        clock,
        env: { GATEHOUSE_SMTP_HOST: smtp.host, GATEHOUSE_SMTP_PORT: String(smtp.port), GATEHOUSE_SMTP_TLS: 'none', GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'true' },
      }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
    ({ context: contextA, page: pageA } = await newDevice());
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
      await smtp?.close();
    }
  });

  step('signs up, opens the verification link from the received mail, confirms, and logs in', async () => {
    await pageA.goto('/signup');
    await pageA.locator('#email').fill(email);
    await pageA.locator('#password').fill(passphrase);
    await submit(pageA, pageA.getByRole('button', { name: 'Sign up' }), '/verify');
    await pageA.getByText('Check your inbox').waitFor();

    const link = linkIn(await smtp.next(email, 'Confirm your email address'), '/verify');
    assert.equal(link.origin, server.url);
    await pageA.goto(link.href);
    await submit(pageA, pageA.getByRole('button', { name: 'Confirm my email address' }), '/login');
    await pageA.getByText('Your email address is confirmed').waitFor();

    await pageA.locator('#email').fill(email);
    await pageA.locator('#password').fill(passphrase);
    await submit(pageA, pageA.getByRole('button', { name: 'Log in' }), '/account');
  });

  step('enrols TOTP from the QR page after re-authenticating, computing the code from the key shown, and keeps the recovery codes (SEC-100)', async () => {
    // The login is more than five minutes old: the page asks to confirm it is them first.
    clock.advance(6 * 60_000);
    await pageA.getByRole('link', { name: 'Set up two-factor authentication' }).click();
    await pageA.waitForURL(onPath('/account/two-factor'));
    await pageA.getByRole('link', { name: 'Confirm another way' }).click();
    await pageA.waitForURL(onPath('/account/reauth'));
    await pageA.locator('#reauth-password').fill(passphrase);
    await submit(pageA, pageA.getByRole('button', { name: 'Confirm', exact: true }), '/account/two-factor');
    assert.equal(await pageA.locator('#enrol-password').count(), 0, 'no password asked within five minutes of the re-authentication');
    await submit(pageA, pageA.getByRole('button', { name: 'Set up an authenticator app' }), '/account/two-factor');
    assert.equal(await pageA.locator('.qr svg').count(), 1, 'an inline SVG QR code');
    secret = (await pageA.locator('[data-totp-secret]').textContent()) ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await pageA.locator('#code').fill(totpCodeAt(secret, clock.nowMs()));
    await pageA.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await pageA.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
    recoveryCodes = (await pageA.locator('[data-recovery-codes] li').allTextContents()).map((c) => c.trim());
    assert.equal(recoveryCodes.length, 10);
  });

  step('logs out, then logs in with password + TOTP (the password alone gets no session)', async () => {
    await pageA.goto('/logout');
    await submit(pageA, pageA.locator('main').getByRole('button', { name: 'Log out' }), '/login');
    await passwordStep(pageA, passphrase);
    assert.equal((await pageA.request.get('/v1/session')).status(), 401, 'between the steps, nothing is granted');
    clock.advance(stepMs); // the enrolment code's step is used
    await pageA.locator('#code').fill(totpCodeAt(secret, clock.nowMs()));
    await submit(pageA, pageA.getByRole('button', { name: 'Verify' }), '/account');
    assert.equal((await pageA.request.get('/v1/session')).status(), 200);
  });

  step('logs in with a recovery code on a second device', async () => {
    ({ context: contextB, page: pageB } = await newDevice());
    await passwordStep(pageB, passphrase);
    await pageB.getByText('Lost your device? Use a recovery code').click();
    await pageB.locator('#recovery-code').fill(recoveryCodes[0] as string);
    await submit(pageB, pageB.getByRole('button', { name: 'Use recovery code' }), '/account');
    assert.equal((await pageB.request.get('/v1/session')).status(), 200);
  });

  step("resets the password from the mailed link; the other device's session has ended", async () => {
    await pageA.goto('/logout');
    await submit(pageA, pageA.locator('main').getByRole('button', { name: 'Log out' }), '/login');
    await pageA.getByRole('link', { name: 'Forgot your password?' }).click();
    await pageA.waitForURL(onPath('/forgot'));
    const before = smtp.mails.length;
    await pageA.locator('#email').fill(email);
    await submit(pageA, pageA.getByRole('button', { name: 'Mail me a link' }), '/forgot');
    const link = linkIn(await smtp.next(email, 'Reset your password', before), '/reset');
    assert.equal(link.origin, server.url);
    await pageA.goto(link.href);
    await pageA.locator('#new-password').fill(newPassphrase);
    await submit(pageA, pageA.getByRole('button', { name: 'Set new password' }), '/login');
    await pageA.getByText('Your new password is set').waitFor();

    // The other browser's next request finds its session gone.
    await pageB.goto('/account');
    await pageB.waitForURL(onPath('/login'));
    assert.equal((await pageB.request.get('/v1/session')).status(), 401);

    // The new password still needs the second factor.
    await pageA.locator('#email').fill(email);
    await pageA.locator('#password').fill(newPassphrase);
    await submit(pageA, pageA.getByRole('button', { name: 'Log in' }), '/login/second-factor');
    clock.advance(stepMs);
    await pageA.locator('#code').fill(totpCodeAt(secret, clock.nowMs()));
    await submit(pageA, pageA.getByRole('button', { name: 'Verify' }), '/account');
    await contextA.close();
    await contextB.close();
  });
});
