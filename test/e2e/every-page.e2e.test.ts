import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { totpCodeAt } from '../../src/core/otp/totp.ts';
import { createClient } from '../../src/core/clients/create-client.ts';
import { grantOperator } from '../../src/core/operators/set-operator.ts';
import { redirectUri } from '../../src/core/oauth-client/oauth-deps.ts';
import { addWebhookEndpoint } from '../../src/core/webhooks/add-webhook-endpoint.ts';
import { startDemoIdp, type DemoIdp } from '../../src/dev/demo-idp.ts';
import { launchChromium } from '../support/browser.ts';
import { clientRecord } from '../support/client-record.ts';
import { createManualClock, type ManualClock } from '../support/core-deps.ts';
import { onPath, stepSequence, submit } from '../support/e2e-steps.ts';
import { findFreePort } from '../support/free-port.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * Every page, in a real Chromium, signed out and signed in (with several sessions, a linked
 * login, two-factor off, half set up and on): each one must fit a phone without horizontal
 * scrolling (375 x 812 and 320 px wide: `scrollWidth <= clientWidth`), pass axe-core with zero
 * violations, and load with no Content-Security-Policy refusal (the favicon included). The steps
 * also check what each page says about why the user is there.
 *
 * GATEHOUSE_SCREENSHOTS=DIR saves each page at 375 px and at 1280 px into DIR, for looking at.
 */

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const screenshots = process.env.GATEHOUSE_SCREENSHOTS;
const email = `every-page-${randomUUID()}@example.com`;
const newEmail = `every-page-new-${randomUUID()}@example.com`;
const passphrase = 'copper lantern drifting over quiet hills';
const stepMs = 30_000;
const step = stepSequence();

interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

describe('every page fits a phone and passes axe-core', () => {
  let server: TestServer;
  let idp: DemoIdp;
  let browser: Browser;
  let clock: ManualClock;
  let context: BrowserContext;
  let page: Page;
  let other: BrowserContext;
  let otherPage: Page;
  let secret = '';
  const checked: string[] = [];
  const cspErrors: string[] = [];

  const newDevice = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const created = await browser.newContext({ baseURL: server.url, viewport: { width: 375, height: 812 }, acceptDownloads: true });
    created.setDefaultTimeout(15_000);
    const opened = await created.newPage();
    opened.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspErrors.push(`${opened.url()}: ${message.text()}`);
    });
    return { context: created, page: opened };
  };

  /** The newest mail to `to` in the dev outbox: its first link on our origin with `path`. */
  const mailedLink = (to: string, path: string): string => {
    const mail = server.gatehouse.mailer.devOutbox!.list().find((m) => m.to === to && m.text.includes(`${server.url}${path}`));
    assert.ok(mail !== undefined, `a mail to ${to} with a ${path} link`);
    return new RegExp(`${server.url}${path}[^\\s]*`).exec(mail.text)![0];
  };

  /** The page as it is now: no horizontal scroll at 375 and 320 px, no axe violation. */
  async function check(target: Page, label: string): Promise<void> {
    await target.waitForLoadState('load');
    for (const width of [375, 320]) {
      await target.setViewportSize({ width, height: 812 });
      const { scrollWidth, clientWidth } = await target.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
      });
      assert.ok(scrollWidth <= clientWidth, `${label} (${target.url()}) scrolls sideways at ${width} px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
    }
    await target.setViewportSize({ width: 375, height: 812 });
    // Evaluated through the DevTools protocol, which the page's CSP (no scripts at all) does not govern.
    await target.evaluate(axeSource);
    const violations = await target.evaluate(async () => {
      const { axe, document } = globalThis as unknown as { axe: { run(context: unknown): Promise<{ violations: AxeViolation[] }> }; document: unknown };
      return (await axe.run(document)).violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
    });
    assert.deepEqual(violations, [], `${label} (${target.url()}): axe-core violations: ${JSON.stringify(violations)}`);
    if (screenshots !== undefined) {
      mkdirSync(screenshots, { recursive: true });
      const name = label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await target.screenshot({ path: join(screenshots, `${name}-375.png`), fullPage: true });
      await target.setViewportSize({ width: 1280, height: 900 });
      await target.screenshot({ path: join(screenshots, `${name}-1280.png`), fullPage: true });
      await target.setViewportSize({ width: 375, height: 812 });
    }
    checked.push(label);
  }

  async function visit(target: Page, path: string, label: string): Promise<void> {
    const response = await target.goto(path);
    assert.ok(response !== null && response.status() < 500, `${path}: ${String(response?.status())}`);
    await check(target, label);
  }

  async function logIn(target: Page, address: string): Promise<void> {
    await target.goto('/login');
    await target.locator('#email').fill(address);
    await target.locator('#password').fill(passphrase);
    await target.getByRole('button', { name: 'Log in' }).click();
  }

  before(async () => {
    clock = createManualClock(Date.now());
    const port = await findFreePort();
    const url = `http://localhost:${port}`;
    idp = await startDemoIdp({ port: 0, clients: [{ clientId: 'gatehouse-e2e', clientSecret: 'e2e-client-secret-e2e-client-secret', redirectUris: [redirectUri(url, 'demo')] }] });
    const [started, launched] = await Promise.allSettled([
      startTestServer({
        clock,
        env: {
          PORT: String(port),
          GATEHOUSE_PUBLIC_URL: url,
          GATEHOUSE_DEV: 'true',
          GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'true',
          GATEHOUSE_OAUTH_OIDC: `demo ${idp.issuer} gatehouse-e2e:e2e-client-secret-e2e-client-secret name=Demo+IdP`,
        },
      }),
      launchChromium(),
    ]);
    if (started.status === 'fulfilled') server = started.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (started.status === 'rejected') throw started.reason;
    if (launched.status === 'rejected') throw launched.reason;
    ({ context, page } = await newDevice());
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await server?.close();
      await idp?.close();
    }
  });

  step('signed out: login, signup, forgot, code login, bad links, the favicon', async () => {
    await visit(page, '/login', 'login');
    await visit(page, '/signup', 'signup');
    await visit(page, '/forgot', 'forgot');
    await visit(page, '/login/code', 'login code');
    await visit(page, '/verify?token=not-a-token', 'verify bad link');
    await visit(page, '/reset?token=not-a-token', 'reset bad link');
    await visit(page, '/v1/oauth/nope/start', 'oauth failure');
    await visit(page, '/signup/passkey', 'signup with a passkey');
    await visit(page, '/signup/passkey/finish?token=not-a-token', 'passkey signup bad link');
    const icon = await page.request.get('/favicon.svg');
    assert.equal(icon.status(), 200);
    assert.equal(icon.headers()['content-type'], 'image/svg+xml');
  });

  step('signs up; "check your inbox" links to the dev outbox; an unverified login gets a resend button', async () => {
    await page.goto('/signup');
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(passphrase);
    await submit(page, page.getByRole('button', { name: 'Sign up' }), '/verify');
    await page.getByRole('link', { name: 'dev outbox' }).waitFor();
    await check(page, 'verify check your inbox');
    await visit(page, '/dev/mail', 'dev outbox');
    await page.getByRole('link', { name: /Confirm your email/ }).first().click();
    await page.waitForURL(/\/dev\/mail\/\d+$/);
    await check(page, 'dev mail');

    await logIn(page, email);
    await page.getByRole('button', { name: 'send a new confirmation link' }).waitFor();
    await check(page, 'login unverified');
    await submit(page, page.getByRole('button', { name: 'send a new confirmation link' }), '/verify');
    await page.getByText('a new link is on its way').waitFor();
  });

  step('confirms the address from the landing page, which says why a click is needed', async () => {
    await page.goto(mailedLink(email, '/verify'));
    await page.getByText('so a mail scanner that follows links cannot confirm it').waitFor();
    await check(page, 'verify landing');
    await submit(page, page.getByRole('button', { name: 'Confirm my email address' }), '/login');
    await check(page, 'login verified');
  });

  step('signed in with two sessions and a linked login: /account fits a phone and says two-factor is off', async () => {
    await logIn(page, email);
    await page.waitForURL(onPath('/account'));
    ({ context: other, page: otherPage } = await newDevice());
    await logIn(otherPage, email);
    await otherPage.waitForURL(onPath('/account'));
    const user = (await server.gatehouse.store.users.findByEmail(email))!;
    const nowMs = clock.nowMs();
    await server.gatehouse.store.oauthIdentities.create({ id: randomUUID(), userId: user.id, provider: 'demo', issuer: idp.issuer, subject: 'demo-subject', email: 'a-rather-long-address-at-the-provider@idp.example.com', createdAtMs: nowMs, lastLoginAtMs: nowMs, tokensJwe: null });
    // A connected app, so the "Connected apps" table must fit too.
    await server.gatehouse.store.clients.create(clientRecord({ id: 'every-page-app', name: 'A connected app with a rather long name', type: 'confidential', secretHash: null, grantTypes: ['authorization_code'], audience: 'every-page-app', refreshTokenDelivery: 'body', createdAtMs: nowMs }));
    await server.gatehouse.store.consents.upsert({ userId: user.id, clientId: 'every-page-app', scopes: ['openid', 'profile', 'email', 'offline_access', 'notes:read-and-write'], grantedAtMs: nowMs, updatedAtMs: nowMs });
    await visit(page, '/account', 'account');
    assert.equal(await page.locator('[data-session-id]').count(), 2);
    assert.equal(await page.locator('[data-two-factor="off"]').count(), 1);
    assert.equal(await page.locator('[data-connected-app="every-page-app"]').count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Link Demo IdP', exact: true }).count(), 0, 'a linked provider is not offered again');
    await page.getByRole('button', { name: 'Unlink Demo IdP' }).waitFor();
    await visit(page, '/account/passkeys/new', 'add a passkey');
    await visit(page, '/logout', 'logout confirm');
    await visit(page, '/end-session?state=every-page', 'end-session confirm (RP-initiated logout without a hint)');
    await visit(page, '/end-session?id_token_hint=not-a-token', 'end-session refused');
    // The OpenID Provider's own pages: its error page, and the consent page of an app not yet allowed.
    await server.gatehouse.store.clients.create(
      clientRecord(
        { id: 'every-page-rp', name: 'An app asking for a rather long list of things', type: 'public', secretHash: null, grantTypes: ['authorization_code'], audience: 'https://api.every-page.example.com', refreshTokenDelivery: 'body', createdAtMs: nowMs },
        { redirectUris: ['http://127.0.0.1:9/cb'], scopes: ['notes:read-and-write'] },
      ),
    );
    await visit(page, '/oauth2/authorize?client_id=nobody&redirect_uri=x', 'authorization request refused');
    const consentQuery = new URLSearchParams({ client_id: 'every-page-rp', redirect_uri: 'http://127.0.0.1:9/cb', response_type: 'code', scope: 'openid profile email offline_access notes:read-and-write', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'every-page' });
    await visit(page, `/oauth2/authorize?${consentQuery}`, 'consent');
    assert.equal(await page.locator('[data-authorize="consent"] li').count(), 5);
  });

  step('two-factor: off, the one setup flow, the recovery codes (grid, copy box, .txt download), on', async () => {
    await visit(page, '/account/two-factor', 'two-factor off');
    await submit(page, page.getByRole('button', { name: 'Set up an authenticator app' }), '/account/two-factor');
    assert.equal(await page.getByRole('button', { name: /cancel/i }).count(), 0, 'no second password form labelled Cancel');
    await check(page, 'two-factor setup');
    secret = (await page.locator('[data-totp-secret]').textContent()) ?? '';
    await page.locator('#code').fill(totpCodeAt(secret, clock.nowMs()));
    // Within minutes of the login no password is asked again (the re-authentication window).
    assert.equal(await page.locator('#confirm-password').count(), 0);
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication is on' }).waitFor();
    await check(page, 'recovery codes');

    const cells = (await page.locator('[data-recovery-codes] li').allTextContents()).map((c) => c.trim());
    assert.equal(cells.length, 10);
    for (const cell of cells) assert.match(cell, /^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/, 'one whole code per cell');
    // Each cell is one line high: no code wraps inside.
    const heights = await page.locator('[data-recovery-codes] li').evaluateAll((items) => items.map((li) => Math.round(li.getBoundingClientRect().height)));
    assert.equal(new Set(heights).size, 1, `cells of one height: ${heights.join(',')}`);
    assert.equal(await page.locator('#codes-text').inputValue(), cells.join('\n'), 'the copy box holds every code');
    assert.equal(await page.locator('#codes-text').getAttribute('readonly'), '');

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download as .txt' }).click();
    const download = await downloading;
    assert.equal(download.suggestedFilename(), 'recovery-codes.txt');
    const file = readFileSync((await download.path())!, 'utf8');
    for (const code of cells) assert.ok(file.includes(code), `${code} in the file`);

    await visit(page, '/account/two-factor', 'two-factor on');
    await page.goto('/account');
    assert.equal(await page.locator('[data-two-factor="on"]').count(), 1, '/account says two-factor is on');
    // Later, the sensitive forms ask to confirm it is you: those pages must fit too.
    clock.advance(6 * 60_000);
    await visit(page, '/account/two-factor', 'two-factor on, asking for the password');
    await visit(page, '/account/reauth?return_to=%2Faccount%2Ftwo-factor', 'reauth');
    await visit(page, '/account', 'account, asking for the password');
  });

  step('the other browser, signed out from here, lands on /login and is told why (no token in the URL)', async () => {
    await submit(page, page.getByRole('button', { name: /^Revoke session/ }), '/account');
    await check(page, 'account session revoked');
    await otherPage.goto('/account');
    await otherPage.waitForURL(onPath('/login'));
    await otherPage.getByText('You were signed out on this device from another session').waitFor();
    const landed = new URL(otherPage.url());
    assert.deepEqual([...landed.searchParams.keys()].sort(), ['return_to', 'why']);
    await check(otherPage, 'login signed out elsewhere');
    await other.close();
  });

  step('logs out and is told so; logs in again through the second step', async () => {
    await page.goto('/logout');
    await submit(page, page.locator('main').getByRole('button', { name: 'Log out' }), '/login');
    await page.getByText('You are logged out on this device').waitFor();
    await check(page, 'login logged out');
    await logIn(page, email);
    await page.waitForURL(onPath('/login/second-factor'));
    await check(page, 'second factor');
    clock.advance(stepMs);
    await page.locator('#code').fill(totpCodeAt(secret, clock.nowMs()));
    await submit(page, page.getByRole('button', { name: 'Verify' }), '/account');
  });

  step('changes the email address: /account form -> check your new inbox -> landing page -> confirmed', async () => {
    await page.goto('/account');
    await page.locator('#new-email').fill(newEmail);
    await submit(page, page.getByRole('button', { name: 'Change email address' }), '/account/email/sent');
    await page.getByRole('link', { name: 'dev outbox' }).waitFor();
    await check(page, 'email change sent');
    assert.equal((await server.gatehouse.store.users.findByEmail(email))?.email, email, 'nothing changes before the confirmation');
    await page.goto(mailedLink(newEmail, '/account/email/confirm'));
    await check(page, 'email change landing');
    await submit(page, page.getByRole('button', { name: 'Confirm my new email address' }), '/account');
    await page.getByText('Your email address is changed').waitFor();
    await check(page, 'account email changed');
    assert.equal(await page.locator('[data-current-email]').textContent(), newEmail);
    await visit(page, '/account/email/confirm?token=not-a-token', 'email change bad link');
  });

  step('the mail flows: forgot -> reset form, code login -> code form', async () => {
    const { context: fresh, page: anon } = await newDevice();
    await anon.goto('/forgot');
    await anon.locator('#email').fill(newEmail);
    await submit(anon, anon.getByRole('button', { name: 'Mail me a link' }), '/forgot');
    await anon.getByRole('link', { name: 'dev outbox' }).waitFor();
    await check(anon, 'forgot sent');
    await visit(anon, mailedLink(newEmail, '/reset'), 'reset form');
    await anon.goto('/login/code');
    await anon.locator('#email').fill(newEmail);
    await anon.getByRole('button', { name: 'Mail me a code' }).click();
    await anon.getByText('a code is on its way').waitFor();
    await check(anon, 'login code sent');
    await visit(anon, '/end-session', 'end-session logged out');
    await fresh.close();
  });

  step('the operator console: every section fits a phone and passes axe-core', async () => {
    const user = (await server.gatehouse.store.users.findByEmail(newEmail))!;
    await grantOperator(server.gatehouse.deps, user.id, { ip: 'cli', userAgent: 'gatehouse-cli' });
    const { client } = await createClient(server.gatehouse.deps, { name: 'Every page', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: ['https://app.example.com/a-rather-long-callback-path/that-must-wrap'] });
    await visit(page, '/admin', 'console dashboard');
    await visit(page, '/admin/users', 'console users');
    await visit(page, `/admin/users/${user.id}`, 'console user');
    await visit(page, '/admin/clients', 'console clients');
    await visit(page, `/admin/clients/${client.id}`, 'console client');
    await visit(page, '/admin/keys', 'console keys');
    await visit(page, '/admin/audit', 'console audit');
    await visit(page, '/admin/settings', 'console settings');
    // An endpoint for an event nothing below emits (the key is a stand-in: it is never sent to).
    const hooks = { ...server.gatehouse.deps, webhookKeys: [new Uint8Array(32).fill(7)] };
    await addWebhookEndpoint(hooks, { url: 'https://hooks.example.com/a-rather-long-receiver-path/that-must-wrap', events: ['identity.unlinked'] }, { ip: 'cli', userAgent: 'gatehouse-cli' });
    await visit(page, '/admin/webhooks', 'console webhooks');
    await visit(page, '/admin/inspector', 'console inspector (dev mode: a pointer to /dev/inspector)');
  });

  step('the inspector, full of the traces of every flow above, live (its script and stream under its CSP)', async () => {
    await page.goto('/dev/inspector');
    await page.getByText('Live: new traces appear at the top').waitFor();
    await check(page, 'inspector');
    await visit(page, '/dev/inspector/compare', 'compare, before a run');
    await submit(page, page.getByRole('button', { name: 'Run the comparison' }), '/dev/inspector/compare');
    await page.getByRole('heading', { name: /^Measured at/ }).waitFor();
    await check(page, 'compare, measured');
  });

  step('no page was refused anything by its Content-Security-Policy', () => {
    assert.deepEqual(cspErrors, []);
    assert.ok(checked.length >= 25, `pages checked: ${checked.join(', ')}`);
    return Promise.resolve();
  });
});
