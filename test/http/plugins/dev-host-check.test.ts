// docs/security.md SEC-214: dev mode answers only requests addressed to a loopback name (DNS rebinding).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDevOutbox } from '../../../src/mail/dev-outbox.ts';
import { createTestApp, type TestApp } from '../../support/http-app.ts';

const devOrigin = 'http://localhost:3000';
// What a browser sends once a page's own name has been rebound to 127.0.0.1: that name as Host,
// and, the page being "same-origin" with itself, Sec-Fetch-Site: same-origin.
const rebound = { host: 'rebind.attacker.example:3000', origin: 'http://rebind.attacker.example:3000', 'sec-fetch-site': 'same-origin' };

describe('dev mode and the Host header', () => {
  let dev: TestApp;
  let production: TestApp;
  before(async () => {
    const outbox = createDevOutbox({ nowMs: () => Date.now(), print: () => {} });
    await outbox.deliver({ kind: 'password_reset', to: 'dev@example.com', subject: 'Reset', text: 'https://x/reset?token=secret-token', html: '' });
    dev = await createTestApp({ config: { publicUrl: devOrigin, dev: true, devOutbox: outbox } });
    production = await createTestApp();
  });
  after(async () => {
    await dev.close();
    await production.close();
  });

  it('a page reached through DNS rebinding cannot read the dev outbox, the inspector or anything else (SEC-214)', async () => {
    for (const url of ['/dev/mail', '/dev/mail/1', '/healthz', '/login', '/.well-known/openid-configuration']) {
      const response = await dev.app.inject({ method: 'GET', url, headers: rebound });
      assert.equal(response.statusCode, 421, url);
      assert.equal(response.json().code, 'misdirected_request', url);
      assert.doesNotMatch(response.body, /secret-token/, url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
    }
  });

  it('its same-origin posts (which pass the CSRF check) change nothing (SEC-214)', async () => {
    const reset = await dev.app.inject({ method: 'POST', url: '/v1/password-reset', headers: { ...rebound, 'content-type': 'application/json' }, payload: { email: 'dev@example.com' } });
    assert.equal(reset.statusCode, 421);
    const login = await dev.app.inject({ method: 'POST', url: '/login', headers: { ...rebound, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=dev%40example.com&password=x' });
    assert.equal(login.statusCode, 421);
  });

  it('a Host that only starts or ends like a loopback name is refused too (SEC-214)', async () => {
    for (const host of ['localhost.attacker.example:3000', 'attacker.localhost.example', '127.0.0.1.nip.io:3000', 'localhost:3000@evil', 'localhost:3000 evil']) {
      const response = await dev.app.inject({ method: 'GET', url: '/dev/mail', headers: { host } });
      assert.equal(response.statusCode, 421, JSON.stringify(host));
    }
  });

  it('localhost, 127.0.0.1 and [::1], on any port and in any case, are served (SEC-214)', async () => {
    for (const host of ['localhost:3000', 'LOCALHOST:3000', 'localhost', '127.0.0.1:3000', '[::1]:3000']) {
      const response = await dev.app.inject({ method: 'GET', url: '/dev/mail/1', headers: { host } });
      assert.equal(response.statusCode, 200, host);
      assert.match(response.body, /secret-token/, host);
    }
  });

  it('production (behind a proxy that may rewrite Host) does not look at Host (SEC-214)', async () => {
    const response = await production.app.inject({ method: 'GET', url: '/healthz', headers: { host: 'internal-name:8080' } });
    assert.equal(response.statusCode, 200);
  });
});
