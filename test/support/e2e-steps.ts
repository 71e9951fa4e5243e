import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { totpCodeAt } from '../../src/core/otp/totp.ts';

/** A URL predicate for `page.waitForURL`: the path only, whatever the query. */
export const onPath = (pathname: string) => (url: URL) => url.pathname === pathname;

/**
 * Clicks a form's submit button and follows the POST-redirect-GET to `pathname`. A refused POST
 * fails at once with the server's answer (status and body), not after a navigation timeout.
 *
 * @example
 * await submit(page, page.getByRole('button', { name: 'Log in' }), '/account');
 */
export async function submit(page: Page, button: Locator, pathname: string): Promise<void> {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest());
  await button.click();
  const response = await posted;
  if (response.status() !== 303) {
    const body = await response.text().catch(() => '');
    // HTML error pages are reduced to their text, so the reason fits on one line.
    const text = body.replace(/<(style|head)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    assert.fail(`POST ${new URL(response.url()).pathname} answered ${response.status()}, not 303: ${text.slice(0, 500)}`);
  }
  await page.waitForURL(onPath(pathname));
}

/**
 * Test steps that build on each other, in order: once one fails, the later ones say so instead of
 * failing obscurely. One sequence per test file (the state is the module's).
 *
 * @example
 * const step = stepSequence();
 * step('sign up', async () => { ... });
 * step('log in', async () => { ... });
 */
export function stepSequence(): (name: string, body: () => Promise<void>) => void {
  let failedStep: string | undefined;
  return (name, body) => {
    it(name, async () => {
      if (failedStep !== undefined) assert.fail(`not run: the earlier step "${failedStep}" failed`);
      try {
        await body();
      } catch (error) {
        failedStep = name;
        throw error;
      }
    });
  };
}

/**
 * Turns on TOTP from /account/two-factor as a user would (set up, type the current code, confirm)
 * and returns the secret the page showed, for the codes of later logins.
 *
 * @example
 * const secret = await turnOnTotp(page, clock.nowMs());
 */
export async function turnOnTotp(page: Page, nowMs: number): Promise<string> {
  await page.goto('/account/two-factor');
  await submit(page, page.getByRole('button', { name: 'Set up an authenticator app' }), '/account/two-factor');
  const secret = (await page.locator('[data-totp-secret]').textContent()) ?? '';
  await page.locator('#code').fill(totpCodeAt(secret, nowMs));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await page.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
  return secret;
}

/** Signs `email` up through the JSON API (202: the confirmation mail is on its way). */
export async function signUpByApi(page: Page, email: string, password: string): Promise<void> {
  const response = await page.request.post('/v1/users', { data: { email, password } });
  assert.equal(response.status(), 202, await response.text());
}

/** Fills in `/login` with `email` and `password` and submits it; the caller waits for where it leads. */
export async function logInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}
