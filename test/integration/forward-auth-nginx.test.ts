// Forward auth behind a real nginx (Debian's package): nginx `auth_request` asks Gatehouse's
// GET /v1/auth/check before every request to a small upstream app, all on loopback, on one origin
// (the __Host- cookie's model, docs/deployment.md). docs/security.md SEC-150, SEC-159.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { testPassword } from '../support/core-deps.ts';
import { findFreePort } from '../support/free-port.ts';
import { startNginx, type NginxServer } from '../support/nginx.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

/** nginx reaches Gatehouse from this address, and only it is trusted; the test itself connects from 127.0.0.1. */
const proxyAddress = '127.0.0.2';

/** The site: Gatehouse's pages and API at /, the protected app at /app/ (the docs/deployment.md example). */
function site(gatehousePort: number, upstreamPort: number): string {
  const gatehouse = `http://127.0.0.1:${gatehousePort}`;
  // nginx inherits proxy_set_header from the server level only into locations that set none of
  // their own: each location that talks to Gatehouse lists all of them (docs/deployment.md).
  const toGatehouse = `
      proxy_bind ${proxyAddress};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Uri $request_uri;`;
  return `
    # Gatehouse itself (pages and API). nginx writes X-Forwarded-* itself: a client's own are replaced.
    location / {
      proxy_pass ${gatehouse};${toGatehouse}
    }

    location = /_gatehouse/check {
      internal;
      proxy_pass ${gatehouse}/v1/auth/check;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";${toGatehouse}
    }

    location /app/ {
      auth_request /_gatehouse/check;
      auth_request_set $gatehouse_user $upstream_http_x_gatehouse_user;
      auth_request_set $gatehouse_email $upstream_http_x_gatehouse_email;
      auth_request_set $gatehouse_session $upstream_http_x_gatehouse_session;
      auth_request_set $gatehouse_login $upstream_http_location;
      error_page 401 =302 $gatehouse_login;
      # Always set, so a client's own X-Gatehouse-* never reach the app.
      proxy_set_header X-Gatehouse-User $gatehouse_user;
      proxy_set_header X-Gatehouse-Email $gatehouse_email;
      proxy_set_header X-Gatehouse-Session $gatehouse_session;
      proxy_pass http://127.0.0.1:${upstreamPort};
    }
`;
}

interface Seen {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

describe('forward auth behind nginx auth_request', () => {
  let upstream: Server;
  let nginx: NginxServer;
  let gatehouse: TestServer;
  let origin: string;

  before(async () => {
    upstream = createServer((request, response) => {
      const seen: Seen = { url: request.url ?? '', headers: request.headers };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    const gatehousePort = await findFreePort();
    nginx = await startNginx(() => site(gatehousePort, upstreamPort));
    origin = nginx.url;
    gatehouse = await startTestServer({
      env: {
        PORT: String(gatehousePort),
        GATEHOUSE_PUBLIC_URL: origin,
        GATEHOUSE_TRUSTED_PROXIES: proxyAddress,
        GATEHOUSE_FORWARD_AUTH_RULES: `${origin}/app`,
      },
    });
  });
  after(async () => {
    await gatehouse?.close();
    await nginx?.remove();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> => fetch(`${origin}${path}`, { redirect: 'manual', headers });

  it('login wall: login page, back at the original URL, the app sees who, logout shuts it again; spoofed headers ignored (SEC-150, SEC-159)', async () => {
    const email = 'nginx-wall@example.com';
    const signUp = await fetch(`${origin}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ email, password: testPassword }) });
    assert.equal(signUp.status, 202);

    // 1. Unauthenticated: nginx turns Gatehouse's 401 into a redirect to the login page, carrying
    //    the original URL as Gatehouse rebuilt it (a spoofed X-Forwarded-Host is overwritten by nginx).
    const spoof = { 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https', 'x-forwarded-uri': '/steal', 'x-gatehouse-user': 'admin' };
    const wall = await get('/app/reports?q=1', spoof);
    assert.equal(wall.status, 302);
    const loginUrl = wall.headers.get('location') ?? '';
    assert.equal(loginUrl, `${origin}/login?return_to=${encodeURIComponent('/app/reports?q=1')}`);
    const loginPage = await fetch(loginUrl, { redirect: 'manual' });
    assert.equal(loginPage.status, 200);
    const html = await loginPage.text();
    assert.match(html, /<form method="post" action="\/login">/);
    assert.match(html, /name="return_to" value="\/app\/reports\?q=1"/);

    // 2. Log in through the form: back at the original URL.
    const login = await fetch(`${origin}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ email, password: testPassword, return_to: '/app/reports?q=1' }).toString(),
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/app/reports?q=1');
    const sessionCookie = login.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_session='))?.split(';')[0];
    assert.ok(sessionCookie !== undefined, 'a session cookie');

    // 3. The app gets the request, with Gatehouse's identity headers and not the client's.
    const me = (await (await fetch(`${origin}/v1/session`, { headers: { cookie: sessionCookie } })).json()) as { user: { id: string }; session: { id: string } };
    const through = await get('/app/reports?q=1', { cookie: sessionCookie, ...spoof });
    assert.equal(through.status, 200);
    const seen = (await through.json()) as Seen;
    assert.equal(seen.url, '/app/reports?q=1');
    assert.equal(seen.headers['x-gatehouse-user'], me.user.id);
    assert.equal(seen.headers['x-gatehouse-email'], email);
    assert.equal(seen.headers['x-gatehouse-session'], me.session.id);

    // 4. Log out: refused again.
    const logout = await fetch(`${origin}/logout`, { method: 'POST', redirect: 'manual', headers: { cookie: sessionCookie, origin } });
    assert.equal(logout.status, 303);
    const again = await get('/app/reports?q=1', { cookie: sessionCookie });
    assert.equal(again.status, 302);
    assert.equal(again.headers.get('location'), loginUrl);

    // 5. Straight to Gatehouse from a peer that is not the proxy, naming a protected URL with
    //    X-Forwarded-*: not believed, so no rule applies and the check refuses.
    const relogin = await fetch(`${origin}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ email, password: testPassword }) });
    const fresh = relogin.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_session='))?.split(';')[0] ?? '';
    const direct = await fetch(`http://127.0.0.1:${gatehouse.config.port}/v1/auth/check`, {
      redirect: 'manual',
      headers: { cookie: fresh, 'x-forwarded-proto': 'http', 'x-forwarded-host': new URL(origin).host, 'x-forwarded-uri': '/app/reports' },
    });
    assert.equal(direct.status, 403);
    assert.equal(((await direct.json()) as { code: string }).code, 'forward_auth_target_unknown');
    assert.equal(direct.headers.get('x-gatehouse-user'), null);
    // Through nginx, the same fresh session passes.
    assert.equal((await get('/app/reports', { cookie: fresh })).status, 200);
  });
});
