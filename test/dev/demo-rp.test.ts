// The demo relying party of dev mode (src/dev/demo-rp.ts): its pages, their strict CSP and
// escaping, its API checked by @gatehouse/sdk, and the logout form's origin check.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/core/clients/create-client.ts';
import { demoRpRedirectUris, startDemoRp, type DemoRp } from '../../src/dev/demo-rp.ts';
import { launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';
import { testPassword } from '../support/core-deps.ts';
import { signUpThroughApi } from '../support/http-app.ts';
import { OpBrowser, redirected } from '../support/op-browser.ts';

describe('the demo relying party', () => {
  let server: TestServer;
  let rp: DemoRp;

  before(async () => {
    server = await startTestServer();
    rp = await startDemoRp({ port: 0, issuer: server.url, clientId: 'demo-rp', apiAudience: 'urn:gatehouse:demo-app:api' });
    const { redirectUri, postLogoutRedirectUri } = demoRpRedirectUris(rp.url);
    await createClient(server.gatehouse.deps, { id: 'demo-rp', name: 'Demo app', type: 'public', grantTypes: ['authorization_code', 'password'], scopes: [], redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri], audience: 'urn:gatehouse:demo-app:api' });
  });
  after(async () => {
    await rp?.close();
    await server?.close();
  });

  it('offers "Log in with Gatehouse" on a page with a strict CSP (no script, one hashed style, forms only to itself and Gatehouse)', async () => {
    const response = await fetch(`${rp.url}/`);
    assert.equal(response.status, 200);
    const csp = String(response.headers.get('content-security-policy'));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(csp, /script-src|unsafe-inline/);
    assert.match(csp, new RegExp(`form-action 'self' ${server.url.replace(/[.]/g, '\\.')}`));
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(await response.text(), /href="\/login">Log in with Gatehouse</);
    assert.match(String(response.headers.get('set-cookie')), /demo_rp_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  });

  it("its API accepts an access token Gatehouse issued for it, and refuses none or another API's", async () => {
    const refused = await fetch(`${rp.url}/api/hello`);
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { code: string }).code, 'token_missing');
    await signUpThroughApi(server.gatehouse.app, 'rp-api@example.com', testPassword);
    await createClient(server.gatehouse.deps, { id: 'other-app', name: 'Other', type: 'public', grantTypes: ['password'], audience: 'https://other.example' });
    const tokenFor = async (clientId: string): Promise<string> => {
      const answer = await fetch(`${server.url}/v1/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'rp-api@example.com', password: testPassword, client_id: clientId }) });
      return ((await answer.json()) as { access_token: string }).access_token;
    };
    const ok = await fetch(`${rp.url}/api/hello`, { headers: { authorization: `Bearer ${await tokenFor('demo-rp')}` } });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { client: string }).client, 'demo-rp');
    const otherApi = await fetch(`${rp.url}/api/hello`, { headers: { authorization: `Bearer ${await tokenFor('other-app')}` } });
    assert.equal(((await otherApi.json()) as { code: string }).code, 'token_wrong_audience');
  });

  it('Log in with Gatehouse: code + PKCE, then the ID token claims, the userinfo answer and the API call; Log out goes to end_session', async () => {
    await signUpThroughApi(server.gatehouse.app, 'rp-flow@example.com', testPassword);
    const gatehouse = new OpBrowser(server.url);
    // The app's own cookie jar: the browser's cookies for the app's origin.
    let appCookie = '';
    const start = await fetch(`${rp.url}/login`, { redirect: 'manual' });
    appCookie = String(start.headers.get('set-cookie')).split(';')[0] as string;
    const authorizeUrl = start.headers.get('location');
    assert.ok(authorizeUrl?.startsWith(`${server.url}/oauth2/authorize?`), String(authorizeUrl));
    const callback = redirected(await gatehouse.authorize(authorizeUrl as string, { credentials: { email: 'rp-flow@example.com', password: testPassword }, consent: 'allow' }));
    assert.equal(callback.origin, rp.url);
    const back = await fetch(callback, { headers: { cookie: appCookie }, redirect: 'manual' });
    assert.equal(back.status, 303, await back.clone().text());
    const home = await fetch(`${rp.url}/`, { headers: { cookie: appCookie } });
    const page = await home.text();
    assert.match(page, /Signed in with Gatehouse/);
    assert.match(page, /id="id-token-claims">[^<]*&quot;iss&quot;: &quot;/);
    assert.match(page, /id="userinfo">[^<]*rp-flow@example.com/);
    assert.match(page, /GET \/api\/hello → 200/);
    const logout = await fetch(`${rp.url}/logout`, { method: 'POST', headers: { cookie: appCookie, origin: rp.url }, redirect: 'manual' });
    assert.equal(logout.status, 303);
    assert.ok(String(logout.headers.get('location')).startsWith(`${server.url}/end-session?`));
  });

  it("its own Log out form works in a real Chromium (the browser's Origin header, not a null one, reaches the check)", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const home = await page.goto(`${rp.url}/`);
      assert.equal(home?.headers()['referrer-policy'], 'same-origin');
      // The page runs no script (CSP); build the same form the signed-in page shows, from the page's own origin.
      const logout = page.waitForResponse((response) => response.url() === `${rp.url}/logout`);
      await page.evaluate("const form = document.createElement('form'); form.method = 'post'; form.action = '/logout'; document.body.append(form); form.submit();");
      // 303 back home; a null Origin would have been refused with 403 "Cross-site request refused".
      assert.equal((await logout).status(), 303);
    } finally {
      await browser.close();
    }
  });

  it('refuses a logout posted from another origin; an unknown path is a 404 page, escaped', async () => {
    const crossSite = await fetch(`${rp.url}/logout`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    assert.equal(crossSite.status, 403);
    const missing = await fetch(`${rp.url}/<script>`);
    assert.equal(missing.status, 404);
    assert.doesNotMatch(await missing.text(), /<script>/);
    const noFlow = await fetch(`${rp.url}/callback?code=x&state=y`);
    assert.equal(noFlow.status, 400);
  });
});
