// The demo relying party of dev mode (src/dev/demo-rp.ts): its pages, their strict CSP and
// escaping, its API checked by @gatehouse/sdk, and the logout form's origin check.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/core/clients/create-client.ts';
import { demoRpRedirectUris, startDemoRp, type DemoRp } from '../../src/dev/demo-rp.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';
import { testPassword } from '../support/core-deps.ts';
import { signUpThroughApi } from '../support/http-app.ts';

describe('the demo relying party', () => {
  let server: TestServer;
  let rp: DemoRp;

  before(async () => {
    server = await startTestServer();
    rp = await startDemoRp({ port: 0, issuer: server.url, clientId: 'demo-rp', apiAudience: 'urn:gatehouse:demo-app:api' });
    const { redirectUri, postLogoutRedirectUri } = demoRpRedirectUris(rp.url);
    await createClient(server.gatehouse.deps, { id: 'demo-rp', name: 'Demo app', type: 'public', grantTypes: ['authorization_code', 'password'], redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri], audience: 'urn:gatehouse:demo-app:api' });
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
