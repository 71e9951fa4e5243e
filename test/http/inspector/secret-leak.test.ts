import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { createAccount } from '../../../src/core/accounts/create-account.ts';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { flowSecrets } from '../../../src/core/oauth-client/flow-secrets.ts';
import { redirectUri } from '../../../src/core/oauth-client/oauth-deps.ts';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import { passkeyCeremonyCookieName } from '../../../src/http/passkey-cookies.ts';
import { demoUser, startDemoIdp, type DemoIdp } from '../../../src/dev/demo-idp.ts';
import { createManualClock, type ManualClock } from '../../support/core-deps.ts';
import { findFreePort } from '../../support/free-port.ts';
import { IdpBrowser } from '../../support/oauth.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';
import { OpBrowser, redirected } from '../../support/op-browser.ts';
import { startTestServer, type TestServer } from '../../support/start-server.ts';

/**
 * docs/security.md SEC-250: every flow runs against a real server with the inspector on, every
 * secret the flows issue is collected, and none may appear in any trace (JSON), the page, or the
 * stream. The flows: sign-up, email verification, password login, session check, session-to-token,
 * the password and refresh grants, introspection and revocation with a client secret, TOTP
 * enrolment, login with a TOTP code and with a recovery code, password reset, an emailed login
 * code, logout, passkey registration and passkey login with a soft authenticator (the ceremony
 * cookies and their MACs, the challenges, the credential's private key), a social login against
 * the demo IdP (code, PKCE verifier, flow cookie), and an OpenID Provider code flow with PKCE for a
 * confidential relying party (code, verifier, client secret).
 */

const clientSecretAtIdp = `leak-idp-secret-${randomUUID()}`;

/** A browser's cookie jar over fetch: same-origin headers on every state-changing request. */
class Browser {
  readonly cookies = new Map<string, string>();
  private readonly origin: string;
  constructor(origin: string) {
    this.origin = origin;
  }
  async request(path: string, init: { method?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const method = init.method ?? (init.json !== undefined || init.form !== undefined ? 'POST' : 'GET');
    if (method !== 'GET') Object.assign(headers, { origin: this.origin, 'sec-fetch-site': 'same-origin' });
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(`${this.origin}${path}`, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

describe('no secret ever appears in the inspector (SEC-250)', () => {
  let server: TestServer;
  let idp: DemoIdp;
  let clock: ManualClock;
  const secrets = new Map<string, string>();
  let streamText = '';
  const stream = new AbortController();
  let streaming: Promise<void> = Promise.resolve();

  /** Keeps a secret, and for `id.secret` tokens the secret part on its own too. */
  const keep = (what: string, value: string | undefined): string => {
    assert.ok(value !== undefined && value.length >= 6, `${what}: nothing to keep`);
    secrets.set(what, value);
    const dot = value.indexOf('.');
    if (dot > 0 && value.split('.').length === 2) secrets.set(`${what} (secret part)`, value.slice(dot + 1));
    return value;
  };
  /** A passkey ceremony cookie (`challenge.expiry.mac`): the whole value, and its MAC on its own. */
  const keepCeremony = (what: string, value: string | undefined): void => {
    keep(what, value);
    keep(`${what}'s MAC`, value?.split('.').at(-1));
  };
  /** The newest mail to `to` matching `pattern` (the mail queue delivers in the background). */
  const mailTo = async (to: string, pattern: RegExp): Promise<string> => {
    for (let tries = 0; tries < 200; tries += 1) {
      const mail = server.gatehouse.mailer.devOutbox!.list().find((m) => m.to === to && pattern.test(m.text));
      if (mail !== undefined) return pattern.exec(mail.text)![1] as string;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return assert.fail(`no mail to ${to} matching ${String(pattern)}`);
  };

  before(async () => {
    clock = createManualClock(Date.now());
    const port = await findFreePort();
    const url = `http://localhost:${port}`;
    idp = await startDemoIdp({ port: 0, clients: [{ clientId: 'inspector-leak', clientSecret: clientSecretAtIdp, redirectUris: [redirectUri(url, 'demo')] }] });
    server = await startTestServer({
      clock,
      env: { PORT: String(port), GATEHOUSE_PUBLIC_URL: url, GATEHOUSE_DEV: 'true', GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'true', GATEHOUSE_OAUTH_OIDC: `demo ${idp.issuer} inspector-leak:${clientSecretAtIdp} name=Demo` },
    });
    keep('the provider client secret', clientSecretAtIdp);
    const response = await fetch(`${server.url}/dev/inspector/stream`, { signal: stream.signal });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    streaming = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          streamText += decoder.decode(value);
        }
      } catch {
        // aborted at the end of the test
      }
    })();
  });

  after(async () => {
    stream.abort();
    await streaming;
    await server?.close();
    await idp?.close();
  });

  test('every flow, then every trace, the page and the stream searched for every secret', { timeout: 120_000 }, async () => {
    const deps = server.gatehouse.deps;
    const spa = await createClient(deps, { id: 'leak-spa', name: 'Leak SPA', type: 'public', grantTypes: ['password', 'refresh_token', 'session'], audience: 'https://api.leak.invalid' });
    assert.equal(spa.secret, null);
    const api = await createClient(deps, { id: 'leak-api', name: 'Leak API', type: 'confidential', grantTypes: ['session'], audience: 'https://api.leak.invalid' });
    const apiSecret = keep('a client secret', api.secret ?? undefined);
    const basic = `Basic ${Buffer.from(`leak-api:${apiSecret}`).toString('base64')}`;

    const browser = new Browser(server.url);
    const email = `leak-${randomUUID()}@example.com`;
    const password = keep('the password', `velvet harbour ${randomUUID()}`);

    // Sign-up and verification.
    assert.equal((await browser.request('/v1/users', { json: { email, password } })).status, 202);
    const verification = keep('a verification token', await mailTo(email, /\/verify\?token=([A-Za-z0-9_.-]+)/));
    assert.equal((await browser.request('/v1/email-verification/confirm', { json: { token: verification } })).status, 200);

    // Login, session check, session-to-token.
    assert.equal((await browser.request('/v1/session', { json: { email, password } })).status, 200);
    keep('a session token', browser.cookies.get('__Host-gatehouse_session'));
    assert.equal((await browser.request('/v1/session')).status, 200);
    const exchanged = (await (await browser.request('/v1/session/token', { json: { client_id: 'leak-spa' } })).json()) as { access_token: string };
    keep('an access token signature', exchanged.access_token.split('.')[2]);

    // The password grant, a refresh, introspection and revocation by a confidential client.
    const grant = (await (await browser.request('/v1/token', { form: { grant_type: 'password', username: email, password, client_id: 'leak-spa' } })).json()) as { refresh_token: string; access_token: string };
    keep('a refresh token', grant.refresh_token);
    const refreshed = (await (await browser.request('/v1/token', { form: { grant_type: 'refresh_token', refresh_token: grant.refresh_token, client_id: 'leak-spa' } })).json()) as { refresh_token: string; access_token: string };
    keep('a rotated refresh token', refreshed.refresh_token);
    keep('a refreshed access token signature', refreshed.access_token.split('.')[2]);
    assert.equal((await browser.request('/v1/token/introspect', { form: { token: refreshed.access_token }, headers: { authorization: basic } })).status, 200);
    assert.equal((await browser.request('/v1/token/revoke', { form: { token: refreshed.refresh_token, client_id: 'leak-spa' } })).status, 200);

    // TOTP: enrolment, then logins with a TOTP code and with a recovery code.
    const started = (await (await browser.request('/v1/me/two-factor/totp', { json: { password } })).json()) as { secret: string; otpauthUri: string };
    keep('a TOTP secret', started.secret);
    const firstCode = keep('a TOTP code', totpCodeAt(started.secret, clock.nowMs()));
    const confirmed = (await (await browser.request('/v1/me/two-factor/totp/confirm', { json: { code: firstCode, password } })).json()) as { recoveryCodes: string[] };
    confirmed.recoveryCodes.forEach((code, i) => keep(`recovery code ${String(i)}`, code));
    assert.equal((await browser.request('/v1/session', { method: 'DELETE' })).status, 204);
    assert.equal((await browser.request('/v1/session', { json: { email, password } })).status, 401);
    keep('a pending login token', browser.cookies.get('__Host-gatehouse_pending_login'));
    clock.advance(31_000);
    const secondCode = keep('a second TOTP code', totpCodeAt(started.secret, clock.nowMs()));
    assert.equal((await browser.request('/v1/session/second-factor', { json: { code: secondCode } })).status, 200);
    keep('a second session token', browser.cookies.get('__Host-gatehouse_session'));
    assert.equal((await browser.request('/v1/session', { method: 'DELETE' })).status, 204);
    assert.equal((await browser.request('/v1/session', { json: { email, password } })).status, 401);
    assert.equal((await browser.request('/v1/session/second-factor', { json: { recoveryCode: confirmed.recoveryCodes[0] } })).status, 200);
    keep('a third session token', browser.cookies.get('__Host-gatehouse_session'));

    // Passkeys: registration on the fresh session, then a passwordless login in another browser.
    // The ceremony cookies (challenge, expiry, MAC), the challenges and the credential's private key.
    const authenticator = createSoftAuthenticator({ origin: server.url });
    const creation = await browser.request('/v1/me/passkeys/registration/options', { json: {} });
    assert.equal(creation.status, 200, await creation.clone().text());
    keepCeremony('the registration ceremony cookie', browser.cookies.get(passkeyCeremonyCookieName));
    const creationOptions = ((await creation.json()) as { options: PublicKeyCredentialCreationOptionsJSON }).options;
    keep('the registration challenge', creationOptions.challenge);
    const registered = await browser.request('/v1/me/passkeys/registration/verify', { json: { name: 'Leak key', response: authenticator.register(creationOptions) } });
    assert.equal(registered.status, 201, await registered.clone().text());
    const credential = authenticator.credentials.at(-1)!;
    keep("the passkey's private key (JWK d)", credential.privateKey.export({ format: 'jwk' }).d);
    keep("the passkey's private key (PKCS#8)", credential.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'));
    keep("the passkey's private key (PKCS#8, base64url)", credential.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'));
    const passkeyBrowser = new Browser(server.url);
    const request = await passkeyBrowser.request('/v1/passkeys/authentication/options', { json: {} });
    assert.equal(request.status, 200, await request.clone().text());
    keepCeremony('the login ceremony cookie', passkeyBrowser.cookies.get(passkeyCeremonyCookieName));
    const requestOptions = ((await request.json()) as { options: PublicKeyCredentialRequestOptionsJSON }).options;
    keep('the login challenge', requestOptions.challenge);
    const passkeyLogin = await passkeyBrowser.request('/v1/passkeys/authentication/verify', { json: { response: authenticator.assert(requestOptions) } });
    assert.equal(passkeyLogin.status, 200, await passkeyLogin.clone().text());
    keep('a passkey session token', passkeyBrowser.cookies.get('__Host-gatehouse_session'));

    // Password reset, and an emailed login code.
    clock.advance(61_000);
    assert.equal((await browser.request('/v1/password-reset', { json: { email } })).status, 202);
    const reset = keep('a reset token', await mailTo(email, /\/reset\?token=([A-Za-z0-9_.-]+)/));
    const newPassword = keep('the new password', `amber meadow ${randomUUID()}`);
    assert.equal((await browser.request('/v1/password-reset/confirm', { json: { token: reset, newPassword } })).status, 204);
    clock.advance(61_000);
    assert.equal((await browser.request('/v1/email-code', { json: { email } })).status, 202);
    const emailCode = keep('an emailed code', await mailTo(email, /\b(\d{6})\b/));
    const codeLogin = await browser.request('/v1/session/email-code', { json: { email, code: emailCode } });
    assert.ok([200, 401].includes(codeLogin.status), `email code login: ${String(codeLogin.status)}`);

    // A social login against the demo IdP: the code, the PKCE verifier and the flow cookie.
    const social = new Browser(server.url);
    const start = await social.request('/v1/oauth/demo/start?return_to=/account');
    assert.equal(start.status, 302);
    const flowCookie = keep('the social-login flow cookie', social.cookies.get('__Host-gatehouse_oauth'));
    keep('the PKCE verifier', flowSecrets(server.gatehouse.oauth.flowKey, flowCookie).codeVerifier);
    keep('the demo user password', demoUser.password);
    const back = await new IdpBrowser().authorize(new URL(start.headers.get('location')!));
    keep('an authorization code', back.searchParams.get('code') ?? undefined);
    const landed = await social.request(`${back.pathname}${back.search}`);
    assert.equal(landed.status, 303, await landed.text());
    keep('a social-login session token', social.cookies.get('__Host-gatehouse_session'));

    // The OpenID Provider: an authorization code with PKCE for a confidential relying party.
    const rp = await createClient(deps, { id: 'leak-rp', name: 'Leak RP', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: ['https://rp.leak.invalid/callback'] });
    const rpSecret = keep('a relying party client secret', rp.secret ?? undefined);
    const rpUserEmail = `leak-rp-${randomUUID()}@example.com`;
    const rpUserPassword = keep('the relying party user password', `copper willow ${randomUUID()}`);
    await createAccount(deps, { email: rpUserEmail, password: rpUserPassword }, { ip: '127.0.0.1', userAgent: 'leak test' });
    const op = new OpBrowser(server.url);
    await op.logIn({ email: rpUserEmail, password: rpUserPassword });
    keep('the relying party user session token', op.cookies.get('__Host-gatehouse_session'));
    const verifier = keep('a PKCE verifier sent to our token endpoint', randomBytes(32).toString('base64url'));
    const authorize = new URL('/oauth2/authorize', server.url);
    for (const [name, value] of Object.entries({ response_type: 'code', client_id: 'leak-rp', redirect_uri: 'https://rp.leak.invalid/callback', scope: 'openid email', state: 'leak-state', nonce: 'leak-nonce', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })) authorize.searchParams.set(name, value);
    const code = keep('an authorization code we issued', redirected(await op.authorize(authorize, { consent: 'allow' })).searchParams.get('code') ?? undefined);
    const codeExchange = await browser.request('/v1/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'https://rp.leak.invalid/callback', code_verifier: verifier },
      headers: { authorization: `Basic ${Buffer.from(`leak-rp:${rpSecret}`).toString('base64')}` },
    });
    assert.equal(codeExchange.status, 200, await codeExchange.clone().text());
    keep('an ID token signature', ((await codeExchange.json()) as { id_token: string }).id_token.split('.')[2]);

    // Where a secret could show: every trace, the page, the stream.
    const traces = await (await fetch(`${server.url}/dev/inspector/traces?limit=200`)).text();
    const page = await (await fetch(`${server.url}/dev/inspector`)).text();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const places = { traces, page, stream: streamText };
    for (const [where, text] of Object.entries(places)) {
      for (const [what, secret] of secrets) assert.ok(!text.includes(secret), `${what} appears in the inspector's ${where}`);
    }
    // And the flows were really traced, so the search above means something.
    for (const expected of ['Authorization code issued to leak-rp', 'Authorization code exchanged', 'ID token issued to leak-rp', 'Password matches', 'New session', 'Session valid', 'Access token issued (JWT)', 'Refresh token rotated', 'Second factor accepted (authenticator code)', 'Second factor accepted (recovery code)', 'Link valid', 'Social login started', 'every check passed', 'Cookie set: __Host-gatehouse_session', 'Session ended (logout)', 'Passkey verified', 'Cookie set: __Host-gatehouse_passkey']) {
      assert.ok(traces.includes(expected), `the traces show "${expected}"`);
      assert.ok(streamText.includes(expected), `the stream shows "${expected}"`);
    }
    assert.ok(secrets.size >= 25, `${String(secrets.size)} secrets collected`);
  });
});
