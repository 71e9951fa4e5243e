import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createClient } from '../../src/core/clients/create-client.ts';
import { introspectToken } from '../../src/core/tokens/introspect-token.ts';
import type { BrowserAuth } from '../../packages/browser/src/index.ts';
import { launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/**
 * `@gatehouse/browser` in a real Chromium against a real server: two tabs of one browser profile,
 * past the access token's expiry, call getAccessToken() at the same moment; both get a token and
 * the user stays logged in. Then a logout in one tab makes the other tab's next call fail.
 *
 * The "app" is a page on the Gatehouse origin (the helper is same-origin by design) that this
 * test serves through Playwright's routing: the helper's own source files, with their types
 * stripped by Node, loaded as ES modules. Tab time is Playwright's fake clock, moved past the
 * 5-minute token lifetime without waiting.
 */

const email = 'tabs@example.com';
const password = 'lantern orbit marmalade quietly seventeen';
const helperFiles = ['index.ts', 'create-browser-auth.ts', 'browser-auth-error.ts'];
const helperDir = new URL('../../packages/browser/src/', import.meta.url);

type Outcome = { ok: true; token: string } | { ok: false; code: string; message: string };

/** What the test page holds, as seen from `page.evaluate` callbacks (which run in the page). */
interface PageGlobals {
  auth: BrowserAuth;
  document: { title: string; cookie: string };
  localStorage: { length: number };
  sessionStorage: { length: number };
}

/** How a tab's helper is set up: the refresh cookie with or without Web Locks, or the session cookie. */
type Mode = 'refresh, Web Locks' | 'refresh, no Web Locks' | 'session';
const modes: readonly Mode[] = ['refresh, Web Locks', 'refresh, no Web Locks', 'session'];
const helperOptions: Record<Mode, string> = {
  'refresh, Web Locks': "{ clientId: 'web' }",
  'refresh, no Web Locks': "{ clientId: 'web', locks: null }",
  session: "{ clientId: 'web-session', credential: 'session' }",
};

const appPage = (mode: Mode) => `<!doctype html><meta charset="utf-8"><title>app</title>
<script type="module">
  import { createBrowserAuth } from '/app/browser/index.ts';
  window.auth = createBrowserAuth(${helperOptions[mode]});
  document.title = 'ready';
</script>`;

async function serveApp(context: BrowserContext, url: string): Promise<void> {
  await context.route(`${url}/app/**`, async (route) => {
    const { pathname, searchParams } = new URL(route.request().url());
    const file = pathname.replace(/^\/app\/browser\//, '');
    if (helperFiles.includes(file)) {
      const code = stripTypeScriptTypes(readFileSync(new URL(file, helperDir), 'utf8'));
      await route.fulfill({ status: 200, contentType: 'text/javascript', body: code });
    } else if (pathname === '/app/') {
      const mode = modes.find((m) => m === searchParams.get('mode')) ?? assert.fail('unknown mode');
      await route.fulfill({ status: 200, contentType: 'text/html', body: appPage(mode) });
    } else {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
}

async function openTab(context: BrowserContext, url: string, mode: Mode): Promise<Page> {
  const page = await context.newPage();
  // A module that fails to load would otherwise show up only as a timeout.
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${url}/app/?mode=${encodeURIComponent(mode)}`);
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.title === 'ready');
  return page;
}

const getAccessToken = (page: Page): Promise<Outcome> =>
  page.evaluate(() =>
    (globalThis as unknown as PageGlobals).auth.getAccessToken().then(
      (token: string): Outcome => ({ ok: true, token }),
      (error: { code: string; message: string }): Outcome => ({ ok: false, code: error.code, message: error.message }),
    ),
  );

function tokenOf(outcome: Outcome): string {
  if (!outcome.ok) assert.fail(`getAccessToken failed: ${outcome.code}: ${outcome.message}`);
  return outcome.token;
}

describe('@gatehouse/browser in Chromium: two tabs, one refresh cookie', () => {
  let server: TestServer;
  let browser: Browser;
  before(async () => {
    server = await startTestServer();
    await createClient(server.gatehouse.deps, { id: 'web', name: 'Web app', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com', refreshTokenDelivery: 'cookie' });
    await createClient(server.gatehouse.deps, { id: 'web-session', name: 'Web app (session)', type: 'public', grantTypes: ['session'], audience: 'https://api.example.com' });
    const signUp = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    assert.equal(signUp.status, 202, await signUp.text());
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  // Asked as a resource server of the clients' audience: their access tokens are meant for it (SEC-107).
  const live = async (token: string): Promise<boolean> => (await introspectToken({ ...server.gatehouse.deps, ...server.gatehouse.tokens }, { id: 'resource-server', audience: 'https://api.example.com' }, token)).active;
  const reuseDetected = async (): Promise<boolean> => (await server.gatehouse.store.audit.list({ limit: 1000 })).some((e) => e.type === 'refresh.reuse_detected');

  for (const mode of modes) {
    it(`past expiry, both tabs get a token at the same moment and stay logged in; logout in one ends the other (${mode})`, async () => {
      const context = await browser.newContext();
      context.setDefaultTimeout(15_000);
      try {
        await context.clock.install();
        await serveApp(context, server.url);
        const [tabA, tabB] = [await openTab(context, server.url, mode), await openTab(context, server.url, mode)];
        await tabA.evaluate(([e, p]) => (globalThis as unknown as PageGlobals).auth.logIn(e, p), [email, password] as const);

        const firstA = tokenOf(await getAccessToken(tabA));
        const firstB = tokenOf(await getAccessToken(tabB));
        assert.equal(tokenOf(await getAccessToken(tabA)), firstA, 'held in memory while fresh');
        assert.equal(await tabA.evaluate(() => (globalThis as unknown as PageGlobals).document.cookie), '', 'no token or session id is visible to scripts');
        assert.equal(await tabA.evaluate(() => { const g = globalThis as unknown as PageGlobals; return g.localStorage.length + g.sessionStorage.length; }), 0, 'nothing in web storage');

        // Six minutes later in both tabs: past the 5-minute access token.
        await context.clock.fastForward('06:00');
        const [raceA, raceB] = await Promise.all([getAccessToken(tabA), getAccessToken(tabB)]);
        const [secondA, secondB] = [tokenOf(raceA), tokenOf(raceB)];
        assert.notEqual(secondA, firstA, 'tab A refreshed');
        assert.notEqual(secondB, firstB, 'tab B refreshed');
        assert.notEqual(secondA, secondB, 'each tab has its own access token');
        assert.ok((await live(secondA)) && (await live(secondB)), 'both tokens are live on the server');
        assert.equal(await reuseDetected(), false, 'the race was not taken for theft');

        // Still logged in: another expiry, another refresh, in the tab that did not log in.
        await context.clock.fastForward('06:00');
        const thirdB = tokenOf(await getAccessToken(tabB));
        assert.ok(await live(thirdB));

        await tabA.evaluate(() => (globalThis as unknown as PageGlobals).auth.logOut());
        const after = await getAccessToken(tabB);
        assert.deepEqual(after.ok ? 'got a token' : after.code, 'login_required', "the other tab's next call fails");
        assert.equal(await live(thirdB), false, "the other tab's token is dead on the server too");
        const again = await getAccessToken(tabA);
        assert.deepEqual(again.ok ? 'got a token' : again.code, 'login_required');
      } finally {
        await context.close();
      }
    });
  }

  it('a wrong password is invalid_credentials; a page that never logged in gets login_required', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    try {
      await serveApp(context, server.url);
      const tab = await openTab(context, server.url, 'refresh, Web Locks');
      assert.equal(await tab.evaluate(() => (globalThis as unknown as PageGlobals).auth.logIn('tabs@example.com', 'not the password at all, sorry').then(() => 'ok', (e: { code: string }) => e.code)), 'invalid_credentials');
      const outcome = await getAccessToken(tab);
      assert.deepEqual(outcome.ok ? 'got a token' : outcome.code, 'login_required');
    } finally {
      await context.close();
    }
  });
});
