// Issue 13's two-app test in a real Chromium: single sign-on across two relying parties on two
// loopback origins, RP-initiated logout reaching the other app by back-channel logout, and a session
// revoked from /account reaching both apps' APIs through the SDK's revocation feed.
// docs/security.md SEC-223, SEC-225.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createVerifier, type Verifier } from '../../packages/sdk/src/index.ts';
import { createClient } from '../../src/core/clients/create-client.ts';
import { launchChromium } from '../support/browser.ts';
import { testPassword } from '../support/core-deps.ts';
import { onPath, stepSequence, submit } from '../support/e2e-steps.ts';
import { findFreePort } from '../support/free-port.ts';
import { startRelyingParty, type RelyingParty } from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const email = 'two-apps@example.com';
const step = stepSequence();

/** Waits (no deadline of its own: the test's timeout is the hang guard) until `check` holds. */
async function eventually(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('two apps, one login, one logout (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let appA: RelyingParty;
  let appB: RelyingParty;
  const verifiers: Verifier[] = [];
  /** Every Gatehouse page this browser was shown, by path. */
  const gatehousePages: string[] = [];

  before(async () => {
    // The apps' back-channel endpoints are on loopback: the outbox may send there only when told so.
    server = await startTestServer({ env: { GATEHOUSE_DELIVERY_ALLOWED_NETWORKS: 'loopback' } });
    const apps: RelyingParty[] = [];
    for (const name of ['app_a', 'app_b']) {
      const port = await findFreePort();
      const origin = `http://127.0.0.1:${port}`;
      const { secret } = await createClient(server.gatehouse.deps, {
        id: name,
        name: name === 'app_a' ? 'App A' : 'App B',
        type: 'confidential',
        grantTypes: ['authorization_code'],
        audience: `https://${name}.api.example`,
        redirectUris: [`${origin}/callback`],
        postLogoutRedirectUris: [`${origin}/logged-out`],
        backchannelLogoutUri: `${origin}/backchannel-logout`,
        skipConsent: true,
      });
      apps.push(await startRelyingParty({ name, issuer: server.url, port, clientId: name, clientSecret: secret! }));
    }
    [appA, appB] = apps as [RelyingParty, RelyingParty];
    // The APIs of both apps verify their access tokens with the SDK, following the revocation feed.
    const feed = await createClient(server.gatehouse.deps, { id: 'apis', name: 'The apps APIs', type: 'confidential', grantTypes: ['session'] });
    for (const name of ['app_a', 'app_b']) verifiers.push(createVerifier({ issuer: server.url, audience: `https://${name}.api.example`, revocationFeed: { clientId: 'apis', clientSecret: feed.secret! } }));
    await Promise.all(verifiers.map((v) => v.ready()));
    const signUp = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json', origin: server.url }, body: JSON.stringify({ email, password: testPassword }) });
    assert.equal(signUp.status, 202);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    page.on('framenavigated', (frame) => {
      const url = new URL(frame.url());
      if (frame === page.mainFrame() && url.origin === server.url) gatehousePages.push(url.pathname);
    });
  });
  after(async () => {
    for (const v of verifiers) v.close();
    await browser?.close();
    await appA?.close();
    await appB?.close();
    await server?.close();
  });

  const logInAtGatehouse = async (target: Page): Promise<void> => {
    await target.waitForURL(onPath('/login'));
    await target.locator('#email').fill(email);
    await target.locator('#password').fill(testPassword);
    await target.getByRole('button', { name: 'Log in' }).click();
  };

  step('logs in to the first app with the password', async () => {
    await page.goto(`${appA.origin}/login`);
    await logInAtGatehouse(page);
    await page.waitForURL(`${appA.origin}/`);
    await page.locator('[data-rp="signed-in"]').waitFor();
    assert.equal(appA.sessions.size, 1);
  });

  step('the second app gets in without a password (single sign-on)', async () => {
    gatehousePages.length = 0;
    await page.goto(`${appB.origin}/login`);
    await page.waitForURL(`${appB.origin}/`);
    await page.locator('[data-rp="signed-in"]').waitFor();
    assert.equal(appB.sessions.size, 1);
    assert.ok(!gatehousePages.includes('/login'), `no login page on the way: ${gatehousePages.join(' ')}`);
    const [a] = appA.sessions.values();
    const [b] = appB.sessions.values();
    assert.equal(a!.sid, b!.sid, 'both apps hold the same Gatehouse session');
    assert.equal(a!.sub, b!.sub);
  });

  step('logging out of the first app ends the Gatehouse session; the second app gets a valid logout token and its session ends', async () => {
    const [b] = appB.sessions.values();
    await page.goto(`${appA.origin}/logout`);
    await page.waitForURL((url) => url.origin === appA.origin && url.pathname === '/logged-out');
    assert.equal(new URL(page.url()).searchParams.get('state'), 'app_a-logout');
    await eventually(() => appB.logouts.length > 0);
    assert.deepEqual(appB.refusedLogouts, []);
    assert.equal(appB.logouts[0]!['sid'], b!.sid);
    assert.equal(appB.logouts[0]!['sub'], b!.sub);
    assert.equal(appB.sessions.size, 0, "the second app's session ended");
    await page.goto(`${appB.origin}/`);
    await page.locator('[data-rp="signed-out"]').waitFor();
    // And the Gatehouse session is over: the next login asks for the password again.
    await page.goto(`${appB.origin}/login`);
    await page.waitForURL(onPath('/login'));
  });

  step('a session revoked from /account on another device: both apps access tokens are refused by the SDK', async () => {
    await logInAtGatehouse(page);
    await page.waitForURL(`${appB.origin}/`);
    await page.goto(`${appA.origin}/login`);
    await page.waitForURL(`${appA.origin}/`);
    const [a] = appA.sessions.values();
    const [b] = appB.sessions.values();
    assert.equal((await verifiers[0]!.verify(a!.accessToken)).sid, a!.sid);
    assert.equal((await verifiers[1]!.verify(b!.accessToken)).sid, b!.sid);

    const phone = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const account = await phone.newPage();
    await account.goto(`${server.url}/login`);
    await account.locator('#email').fill(email);
    await account.locator('#password').fill(testPassword);
    await account.getByRole('button', { name: 'Log in' }).click();
    await account.waitForURL(onPath('/account'));
    await submit(account, account.locator(`[data-session-id="${a!.sid}"]`).getByRole('button', { name: /^Revoke session/ }), '/account');
    const refused = async (verifier: Verifier, token: string): Promise<boolean> =>
      verifier.verify(token).then(
        () => false,
        () => true,
      );
    await eventually(async () => (await refused(verifiers[0]!, a!.accessToken)) && (await refused(verifiers[1]!, b!.accessToken)));
    await eventually(() => appA.sessions.size === 0 && appB.sessions.size === 0);
    await phone.close();
  });
});
