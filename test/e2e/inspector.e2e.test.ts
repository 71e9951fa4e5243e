import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createClient } from '../../src/core/clients/create-client.ts';
import { redirectUri } from '../../src/core/oauth-client/oauth-deps.ts';
import { demoUser, startDemoIdp, type DemoIdp } from '../../src/dev/demo-idp.ts';
import { launchChromium } from '../support/browser.ts';
import { onPath, stepSequence, submit } from '../support/e2e-steps.ts';
import { findFreePort } from '../support/free-port.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * The inspector in a real Chromium: one browser context runs each flow (sign-up, login, session
 * check, session-to-token, logout, social login against the demo IdP) while /dev/inspector is open
 * in another. Each flow's steps must appear there live (no reload), in order, with the cookie's
 * attributes and the JWT's checks.
 */

const email = `inspector-e2e-${randomUUID()}@example.com`;
const passphrase = 'saffron kettle wandering past midnight';
const step = stepSequence();

describe('the inspector shows every step live', () => {
  let server: TestServer;
  let idp: DemoIdp;
  let browser: Browser;
  let user: { context: BrowserContext; page: Page };
  let watcher: { context: BrowserContext; page: Page };

  const newContext = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    return { context, page: await context.newPage() };
  };

  /** The live trace for `label` on the watcher's page: it must arrive without a reload. */
  const liveTrace = async (label: string): Promise<Locator> => {
    const trace = watcher.page.locator('article.trace', { has: watcher.page.locator('h3', { hasText: label }) }).first();
    await trace.waitFor();
    return trace;
  };

  /** Asserts the step titles appear in this order in the trace. */
  const inOrder = async (trace: Locator, titles: string[]): Promise<void> => {
    const shown = await trace.locator('li.step .step-title strong').allTextContents();
    let at = -1;
    for (const title of titles) {
      const found = shown.findIndex((text, i) => i > at && text.includes(title));
      assert.ok(found > at, `"${title}" after step ${String(at)} in: ${shown.join(' | ')}`);
      at = found;
    }
  };

  before(async () => {
    const port = await findFreePort();
    const url = `http://localhost:${port}`;
    idp = await startDemoIdp({ port: 0, clients: [{ clientId: 'inspector-e2e', clientSecret: 'inspector-e2e-secret-inspector-e2e', redirectUris: [redirectUri(url, 'demo')] }] });
    const [started, launched] = await Promise.allSettled([
      startTestServer({ env: { PORT: String(port), GATEHOUSE_PUBLIC_URL: url, GATEHOUSE_DEV: 'true', GATEHOUSE_OAUTH_OIDC: `demo ${idp.issuer} inspector-e2e:inspector-e2e-secret-inspector-e2e name=Demo+IdP` } }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
    await createClient(server.gatehouse.deps, { id: 'inspector-spa', name: 'Inspector SPA', type: 'public', grantTypes: ['session'], audience: 'https://api.inspector.invalid' });
    user = await newContext();
    watcher = await newContext();
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
      await idp?.close();
    }
  });

  step('the inspector opens in one context and goes live', async () => {
    await watcher.page.goto('/dev/inspector');
    await watcher.page.getByText('Live: new traces appear at the top').waitFor();
  });

  step('sign-up in the other context appears live: the account row, the hashed link, the response', async () => {
    await user.page.goto('/signup');
    await user.page.locator('#email').fill(email);
    await user.page.locator('#password').fill(passphrase);
    await submit(user.page, user.page.getByRole('button', { name: 'Sign up' }), '/verify');
    const trace = await liveTrace('POST /signup');
    await inOrder(trace, ['POST /signup', 'Throttle (signupIp)', 'users.create', 'oneTimeTokens.insert', 'Verification link issued', '303']);
    assert.match((await trace.textContent()) ?? '', /sha256:[0-9a-f]{8}/);
  });

  step('login: password check, new session, the cookie with every attribute explained, in order', async () => {
    await user.page.goto('/login');
    await user.page.locator('#email').fill(email);
    await user.page.locator('#password').fill(passphrase);
    await submit(user.page, user.page.getByRole('button', { name: 'Log in' }), '/account');
    const trace = await liveTrace('POST /login');
    await inOrder(trace, ['POST /login', 'Throttle (ip)', 'Throttle (account)', 'Password matches', 'sessions.create', 'New session', 'Cookie set: __Host-gatehouse_session', '303']);
    const cookie = trace.locator('li.step', { hasText: 'Cookie set: __Host-gatehouse_session' });
    const text = (await cookie.textContent()) ?? '';
    for (const attribute of ['__Host- prefix', 'Path=/', 'HttpOnly', 'Secure', 'SameSite=Lax']) assert.ok(text.includes(attribute), `${attribute} in ${text}`);
    assert.match(text, /RFC 6265bis/);
    assert.match((await trace.locator('li.step', { hasText: 'Password matches' }).textContent()) ?? '', /argon2id[\s\S]*m=\d+,t=\d+,p=\d+/);
    const account = await liveTrace('GET /account');
    await inOrder(account, ['GET /account', 'sessions.findWithUser', 'Session valid', '200']);
    assert.match((await account.textContent()) ?? '', /idleDeadline[\s\S]*absoluteDeadline/);
  });

  step('session-to-token: the JWT decoded, every check a verifier makes, and a live expiry countdown', async () => {
    const response = await user.page.request.post('/v1/session/token', { data: { client_id: 'inspector-spa' } });
    assert.equal(response.status(), 200, await response.text());
    const trace = await liveTrace('POST /v1/session/token');
    await inOrder(trace, ['POST /v1/session/token', 'Session valid', 'clients.findById', 'Access token issued (JWT)', '200']);
    const jwt = trace.locator('li.step', { hasText: 'Access token issued (JWT)' });
    const text = (await jwt.textContent()) ?? '';
    for (const expected of ['at+jwt', 'ES256', 'https://api.inspector.invalid', 'sid', 'algorithm pinned to', 'typ is at+jwt', 'RFC 9068']) assert.ok(text.includes(expected), `${expected} in the JWT step`);
    await jwt.locator('time[data-expires]').filter({ hasText: /^in \d+ s$/ }).waitFor();
  });

  step('logout: the session row deleted and the revocation written, the cookie cleared', async () => {
    await user.page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log out' }).click();
    await user.page.waitForURL(onPath('/logout'));
    await submit(user.page, user.page.locator('main').getByRole('button', { name: 'Log out' }), '/login');
    const trace = await liveTrace('POST /logout');
    await inOrder(trace, ['POST /logout', 'Session valid', 'sessions.delete', 'revocations.append', 'Session ended (logout)', 'Cookie cleared: __Host-gatehouse_session', '303']);
  });

  step('social login against the demo IdP: state, nonce and the PKCE challenge out; every check on the answer back', async () => {
    await user.page.goto('/login');
    await user.page.getByRole('link', { name: 'Continue with Demo IdP' }).click();
    await user.page.locator('#username').fill(demoUser.username);
    await user.page.locator('#password').fill(demoUser.password);
    await user.page.getByRole('button', { name: 'Sign in' }).click();
    await user.page.getByRole('button', { name: 'Allow' }).click();
    await user.page.waitForURL(onPath('/account'));
    const start = await liveTrace('GET /v1/oauth/demo/start');
    await inOrder(start, ['GET /v1/oauth/demo/start', 'Throttle (oauthStartIp)', 'oauthFlows.insert', 'Social login started', 'Cookie set: __Host-gatehouse_oauth', '302']);
    const started = (await start.locator('li.step', { hasText: 'Social login started' }).textContent()) ?? '';
    for (const expected of ['state', 'nonce', 'code_challenge', 'S256', 'RFC 7636']) assert.ok(started.includes(expected), `${expected} in the start step`);
    const back = await liveTrace('GET /v1/oauth/demo/callback');
    await inOrder(back, ['GET /v1/oauth/demo/callback', 'oauthFlows.take', 'every check passed', 'New session', 'Cookie set: __Host-gatehouse_session', '303']);
    const checks = (await back.locator('li.step', { hasText: 'every check passed' }).textContent()) ?? '';
    for (const expected of ['state matches', 'ID token signature', 'ID token aud', 'nonce matches', 'sha256:', 'OpenID Connect Core']) assert.ok(checks.includes(expected), `${expected} in the callback step`);
  });
});
