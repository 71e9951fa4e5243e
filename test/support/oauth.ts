import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { CustomFetch } from 'openid-client';
import type { CoreDeps } from '../../src/core/deps.ts';
import { connectProvider, type OAuthProvider } from '../../src/core/oauth-client/connect-provider.ts';
import { redirectUri, type OAuthDeps } from '../../src/core/oauth-client/oauth-deps.ts';
import type { GitHubEndpoints, OAuthProviderConfig } from '../../src/core/oauth-client/provider-config.ts';
import { demoUser, startDemoIdp, type DemoIdp, type DemoUser } from '../../src/dev/demo-idp.ts';
import type { Logger } from 'pino';
import { buildApp } from '../../src/http/app.ts';
import type { AppConfig } from '../../src/http/app-config.ts';
import { flowCookieName } from '../../src/http/oauth-flow-cookie.ts';
import { sessionCookieName } from '../../src/http/session-cookie.ts';
import { createTestCore, type TestCore, type TestCoreOverrides } from './core-deps.ts';
import { createTestTokenDeps, testOrigin } from './http-app.ts';

/**
 * Social login against a real OpenID provider: the demo IdP module (oidc-provider) on
 * loopback, as the provider "demo" of an app driven with inject(). The provider's pages are
 * driven over HTTP by IdpBrowser, which keeps the provider's cookies like a browser would.
 */

export const testClientId = 'gatehouse-test';
export const testClientSecret = 'test-client-secret-test-client-secret';

/** A fetch that a test can swap, to watch or tamper with what the provider answers. */
export interface FetchHook {
  /** Set by a test; reset to undefined by the testbed after each use of `createOAuthApp`. */
  intercept: ((url: URL, init: RequestInit, real: typeof fetch) => Promise<Response>) | undefined;
  /** Every request Gatehouse sent to the provider, in order. */
  sent: Array<{ url: URL; body: string }>;
}

export function createFetchHook(): { hook: FetchHook; fetch: CustomFetch } {
  const hook: FetchHook = { intercept: undefined, sent: [] };
  const customFetch: CustomFetch = async (url, options) => {
    const target = new URL(url);
    const body = options.body === undefined || options.body === null ? '' : String(options.body);
    hook.sent.push({ url: target, body });
    const init: RequestInit = { method: options.method, headers: options.headers, redirect: options.redirect, ...(options.body === undefined ? {} : { body: options.body as NonNullable<RequestInit['body']> }), ...(options.signal === undefined ? {} : { signal: options.signal }) };
    return hook.intercept === undefined ? fetch(target, init) : hook.intercept(target, init, fetch);
  };
  return { hook, fetch: customFetch };
}

/** Starts the demo IdP with the test client registered for https://auth.test's callback. */
export async function startTestIdp(users: DemoUser[] = [demoUser], providerId = 'demo'): Promise<DemoIdp> {
  return startDemoIdp({
    port: 0,
    users,
    clients: [{ clientId: testClientId, clientSecret: testClientSecret, redirectUris: [redirectUri(testOrigin, providerId)] }],
  });
}

export function demoProviderConfig(idp: { issuer: string }, overrides: Partial<OAuthProviderConfig> = {}): OAuthProviderConfig {
  return { id: 'demo', kind: 'oidc', displayName: 'Demo IdP', issuer: idp.issuer, clientId: testClientId, clientSecret: testClientSecret, scopes: ['openid', 'email', 'profile'], ...overrides };
}

export interface OAuthApp {
  app: FastifyInstance;
  core: TestCore;
  oauth: OAuthDeps;
  hook: FetchHook;
  close(): Promise<void>;
}

export interface OAuthAppOptions {
  providers?: OAuthProviderConfig[];
  linkByEmail?: OAuthDeps['linkByEmail'];
  providerTokenKeys?: Uint8Array[] | null;
  githubEndpoints?: GitHubEndpoints;
  /** Passed to createTestCore (e.g. `forwardMailTo` to send the mails through real SMTP). */
  core?: TestCoreOverrides;
  /** Extra HTTP-layer settings, e.g. `{ dev: true }` for the dev-mode error page. */
  appConfig?: Partial<AppConfig>;
  /** A logger to watch what the server logs (default: none). */
  logger?: Logger;
}

/**
 * Runs `body` against a fresh app (its own store and clock) connected to `idp`, and closes it.
 *
 * @example
 * it('logs in', () => withOAuthApp(idp, async (t) => { ... }));
 */
export async function withOAuthApp(idp: { issuer: string } | null, body: (t: OAuthApp) => Promise<void>, options: OAuthAppOptions = {}): Promise<void> {
  const t = await createOAuthApp(idp, options);
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

/** The real app over a memory store and manual clock, with the given providers connected for real. */
export async function createOAuthApp(idp: { issuer: string } | null, options: OAuthAppOptions = {}): Promise<OAuthApp> {
  const { hook, fetch: customFetch } = createFetchHook();
  const configs = options.providers ?? (idp === null ? [] : [demoProviderConfig(idp)]);
  const providers = new Map<string, OAuthProvider>();
  for (const config of configs) {
    providers.set(
      config.id,
      await connectProvider(config, { plainHttp: 'allow-loopback', fetch: customFetch, ...(options.githubEndpoints === undefined ? {} : { githubEndpoints: options.githubEndpoints }) }),
    );
  }
  const oauth: OAuthDeps = {
    providers,
    publicUrl: testOrigin,
    flowKey: new Uint8Array(randomBytes(32)),
    flowTtlMs: 10 * 60 * 1000,
    linkByEmail: options.linkByEmail ?? 'never',
    providerTokenKeys: options.providerTokenKeys ?? null,
  };
  const core = await createTestCore(options.core ?? {});
  const tokens = createTestTokenDeps(core);
  await tokens.keyRing.ensureKey();
  const app = await buildApp({
    deps: core as CoreDeps,
    tokens,
    config: { publicUrl: testOrigin, trustedProxies: [], allowedReturnOrigins: [], ...options.appConfig },
    oauth,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return { app, core, oauth, hook, close: () => app.close() };
}

export interface StartedLogin {
  /** The provider's authorization URL Gatehouse redirected to. */
  authorizationUrl: URL;
  /** The `__Host-gatehouse_oauth` cookie value. */
  flowCookie: string;
  response: LightMyRequestResponse;
}

/** GET /v1/oauth/{provider}/start, as a browser would. */
export async function startLogin(app: FastifyInstance, returnTo = '/account', providerId = 'demo', cookies: Record<string, string> = {}): Promise<StartedLogin> {
  const response = await app.inject({ method: 'GET', url: `/v1/oauth/${providerId}/start?return_to=${encodeURIComponent(returnTo)}`, cookies });
  assert.equal(response.statusCode, 302, response.body);
  const flowCookie = response.cookies.find((c) => c.name === flowCookieName)?.value;
  assert.ok(flowCookie !== undefined, 'the start sets the flow cookie');
  return { authorizationUrl: new URL(String(response.headers.location)), flowCookie, response };
}

/**
 * A browser at the provider: keeps its cookies, follows its redirects, fills in its login and
 * consent forms. Stops at the first redirect that leaves the provider (the callback to Gatehouse).
 */
export class IdpBrowser {
  private readonly jar = new Map<string, string>();
  readonly username: string;
  readonly password: string;

  constructor(user: Pick<DemoUser, 'username' | 'password'> = demoUser) {
    this.username = user.username;
    this.password = user.password;
  }

  private async request(url: URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.jar.size > 0) headers.cookie = [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (init.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method: init.method ?? 'GET', headers, redirect: 'manual', ...(init.form === undefined ? {} : { body: new URLSearchParams(init.form).toString() }) });
    for (const line of response.headers.getSetCookie()) {
      // The name=value pair is everything before the first ';' (RFC 6265 5.2).
      const pair = line.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return response;
  }

  /**
   * Goes through the provider from `url` and returns the URL it finally redirects to outside
   * itself. `consent: 'deny'` presses Cancel/Deny instead of Allow.
   */
  async authorize(url: URL, options: { consent?: 'allow' | 'deny' } = {}): Promise<URL> {
    const idpOrigin = url.origin;
    let next: { url: URL; method?: string; form?: Record<string, string> } = { url };
    for (let step = 0; step < 20; step++) {
      const response = await this.request(next.url, next);
      const location = response.headers.get('location');
      if (location !== null) {
        const target = new URL(location, next.url);
        await response.arrayBuffer();
        if (target.origin !== idpOrigin) return target;
        next = { url: target };
        continue;
      }
      const body = await response.text();
      assert.equal(response.status, 200, `the provider answered ${response.status}: ${body.slice(0, 300)}`);
      const login = /action="(\/interaction\/[^"]+\/login)"/.exec(body);
      const confirm = /action="(\/interaction\/[^"]+\/confirm)"/.exec(body);
      const abort = /action="(\/interaction\/[^"]+\/abort)"/.exec(body);
      if (options.consent === 'deny' && confirm !== null && abort !== null) next = { url: new URL(abort[1] as string, idpOrigin), method: 'POST', form: {} };
      else if (login !== null) next = { url: new URL(login[1] as string, idpOrigin), method: 'POST', form: { username: this.username, password: this.password } };
      else if (confirm !== null) next = { url: new URL(confirm[1] as string, idpOrigin), method: 'POST', form: {} };
      else assert.fail(`unexpected provider page: ${body.slice(0, 300)}`);
    }
    assert.fail('the provider never redirected back');
  }
}

/** GET the callback (the provider's redirect target) on the app, with the browser's cookies. */
export function callback(app: FastifyInstance, callbackUrl: URL, cookies: { flow?: string; session?: string } = {}): Promise<LightMyRequestResponse> {
  assert.equal(callbackUrl.origin, testOrigin, `the provider redirected to ${callbackUrl.href}`);
  return app.inject({
    method: 'GET',
    url: `${callbackUrl.pathname}${callbackUrl.search}`,
    headers: { accept: 'text/html' },
    cookies: {
      ...(cookies.flow === undefined ? {} : { [flowCookieName]: cookies.flow }),
      ...(cookies.session === undefined ? {} : { [sessionCookieName]: cookies.session }),
    },
  });
}

/** The whole login: start, the provider's pages, the callback. Returns the callback's response. */
export async function logInWithProvider(app: FastifyInstance, browser: IdpBrowser, options: { returnTo?: string; providerId?: string; session?: string } = {}): Promise<LightMyRequestResponse> {
  const started = await startLogin(app, options.returnTo ?? '/account', options.providerId ?? 'demo');
  const back = await browser.authorize(started.authorizationUrl);
  return callback(app, back, { flow: started.flowCookie, ...(options.session === undefined ? {} : { session: options.session }) });
}

/** The session cookie a response set, or undefined. */
export function sessionFrom(response: LightMyRequestResponse): string | undefined {
  return response.cookies.find((c) => c.name === sessionCookieName && c.value !== '')?.value;
}

/** Asserts a callback refused the login: an error page with the code, no session cookie. */
export function assertRefused(response: LightMyRequestResponse, code: string): void {
  assert.equal(sessionFrom(response), undefined, 'no session cookie');
  assert.match(String(response.headers['content-type']), /text\/html/);
  assert.ok(response.body.includes(`<code>${code}</code>`), `expected ${code}, got ${response.statusCode}: ${response.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}`);
  assert.ok(!/at .+\.ts:\d+/.test(response.body), 'no stack trace');
}

let userCount = 0;
/** A provider user of its own, so tests never share an identity. */
export function anIdpUser(overrides: Partial<DemoUser> = {}): DemoUser {
  userCount++;
  return { sub: `sub-${userCount}-${randomBytes(4).toString('hex')}`, username: `user${userCount}`, password: `pw-${userCount}`, email: `user${userCount}@idp.example.com`, emailVerified: true, name: `User ${userCount}`, ...overrides };
}
