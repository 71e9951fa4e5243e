import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { createVerifier, extractBearerToken, GatehouseTokenError } from '../../packages/sdk/src/index.ts';
import { html, type SafeHtml } from '../http/pages/html.ts';

/**
 * The demo relying party: a tiny app on its own loopback port (PORT + 2 by default) that logs in
 * with Gatehouse the way any app would, so a newcomer can watch the OpenID Provider work with no
 * internet. `gatehouse serve --dev` starts it and registers it as the client `demo-rp`.
 *
 * - "Log in with Gatehouse": the authorization code flow with PKCE, state and nonce, by openid-client;
 * - then the ID token's claims (decoded), the userinfo answer, and a call to this app's own API
 *   (`/api/hello`) with the access token, verified there by `@gatehouse/sdk`;
 * - "Log out": RP-initiated logout at Gatehouse when it offers an end_session_endpoint.
 *
 * Never for production: sessions are in memory and the cookies are not Secure (plain http on loopback).
 */

export interface DemoRpOptions {
  /** 0 picks a free port. Listens on 127.0.0.1 only. */
  port: number;
  /** Gatehouse's public URL (the issuer). */
  issuer: string;
  clientId: string;
  /** The audience its access tokens carry (the client's registered audience): this app's API. */
  apiAudience: string;
  /** The host name the app is reached at (its redirect URI names it); default localhost. */
  host?: string;
}

export interface DemoRp {
  /** `http://localhost:PORT`. */
  url: string;
  close(): Promise<void>;
}

interface RpSession {
  flow?: { state: string; nonce: string; verifier: string };
  tokens?: { idToken: string; accessToken: string };
  userinfo?: unknown;
}

const cookieName = 'demo_rp_session';
const style = 'body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}pre{background:#f4f4f4;padding:.6rem;overflow:auto;white-space:pre-wrap;word-break:break-all}.note{background:#fff6d6;padding:.6rem}a.button,button{display:inline-block;padding:.5rem 1rem;font-size:1rem}';
const styleHash = createHash('sha256').update(style).digest('base64');

/** The redirect URI and post-logout URI the client is registered with, for an app at `url`. */
export function demoRpRedirectUris(url: string): { redirectUri: string; postLogoutRedirectUri: string } {
  return { redirectUri: `${url}/callback`, postLogoutRedirectUri: `${url}/` };
}

function page(issuer: string, title: string, body: SafeHtml): { body: string; csp: string } {
  const document = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Demo app</title><style>${style}</style></head>
<body><p class="note">Demo app (a relying party), for trying Gatehouse as an OpenID Provider. Dev mode only.</p>
<main>${body}</main></body></html>`;
  // Strict: nothing runs, one hashed stylesheet, forms post only here (and on to Gatehouse for logout).
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; form-action 'self' ${new URL(issuer).origin}; frame-ancestors 'none'; base-uri 'none'`;
  return { body: document.value, csp };
}

/**
 * `same-origin`, not `no-referrer`: under `no-referrer` Chromium sends `Origin: null` with a form
 * post, so the app's own Log out form would fail its origin check. `same-origin` still sends no
 * referrer to Gatehouse or anywhere else, and a post from another site still carries its own origin.
 */
const referrerPolicy = 'same-origin';

function send(res: ServerResponse, status: number, content: { body: string; csp: string }): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': content.csp, 'x-content-type-options': 'nosniff', 'referrer-policy': referrerPolicy });
  res.end(content.body);
}

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', ...(cookie === undefined ? {} : { 'set-cookie': cookie }) });
  res.end();
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/**
 * Starts the demo relying party.
 *
 * @example
 * const rp = await startDemoRp({ port: 3002, issuer: 'http://localhost:3000', clientId: 'demo-rp', apiAudience: 'http://localhost:3002/api' });
 */
export async function startDemoRp(options: DemoRpOptions): Promise<DemoRp> {
  const sessions = new Map<string, RpSession>();
  const verifier = createVerifier({ issuer: options.issuer, audience: options.apiAudience });
  let url = '';
  let configuration: oidc.Configuration | undefined;
  // Discovered on first use: Gatehouse may start after this app.
  const discover = async (): Promise<oidc.Configuration> => {
    configuration ??= await oidc.discovery(new URL(options.issuer), options.clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    return configuration;
  };

  const sessionOf = (req: IncomingMessage): [string, RpSession] => {
    const id = /(?:^|;\s*)demo_rp_session=([A-Za-z0-9_-]{22,})/.exec(req.headers.cookie ?? '')?.[1];
    const existing = id === undefined ? undefined : sessions.get(id);
    if (id !== undefined && existing !== undefined) return [id, existing];
    const fresh = randomBytes(18).toString('base64url');
    if (sessions.size > 10_000) sessions.delete(sessions.keys().next().value as string);
    sessions.set(fresh, {});
    return [fresh, sessions.get(fresh) as RpSession];
  };
  const cookieFor = (id: string): string => `${cookieName}=${id}; Path=/; HttpOnly; SameSite=Lax`;

  async function home(res: ServerResponse, session: RpSession): Promise<void> {
    if (session.tokens === undefined) {
      return send(res, 200, page(options.issuer, 'Welcome', html`<h1>Demo app</h1><p>This app does not know you yet.</p><p><a class="button" href="/login">Log in with Gatehouse</a></p>`));
    }
    const claims = decodeJwt(session.tokens.idToken);
    const api = await fetch(`${url}/api/hello`, { headers: { authorization: `Bearer ${session.tokens.accessToken}` } });
    const apiAnswer = (await api.json()) as unknown;
    return send(
      res,
      200,
      page(
        options.issuer,
        'Signed in',
        html`<h1>Signed in with Gatehouse</h1>
<h2>The ID token's claims</h2><pre id="id-token-claims">${pretty(claims)}</pre>
<h2>The userinfo answer</h2><pre id="userinfo">${pretty(session.userinfo)}</pre>
<h2>This app's API, called with the access token (checked by @gatehouse/sdk)</h2><p>GET /api/hello → ${api.status}</p><pre id="api-answer">${pretty(apiAnswer)}</pre>
<form method="post" action="/logout"><button type="submit">Log out</button></form>`,
      ),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', url);
    if (requestUrl.pathname === '/api/hello') {
      try {
        const claims = await verifier.verify(extractBearerToken(req.headers.authorization));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: claims.sub, client: claims.client_id, scope: claims.scope }));
      } catch (error) {
        if (!(error instanceof GatehouseTokenError)) throw error;
        res.writeHead(error.status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: error.code }));
      }
      return;
    }
    const [id, session] = sessionOf(req);
    if (req.method === 'GET' && requestUrl.pathname === '/') {
      res.setHeader('set-cookie', cookieFor(id));
      return home(res, session);
    }
    if (req.method === 'GET' && requestUrl.pathname === '/login') {
      const config = await discover();
      session.flow = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const target = oidc.buildAuthorizationUrl(config, {
        redirect_uri: demoRpRedirectUris(url).redirectUri,
        scope: 'openid profile email',
        state: session.flow.state,
        nonce: session.flow.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(session.flow.verifier),
        code_challenge_method: 'S256',
      });
      return redirect(res, target.href, cookieFor(id));
    }
    if (req.method === 'GET' && requestUrl.pathname === '/callback') {
      const flow = session.flow;
      delete session.flow;
      if (flow === undefined) return send(res, 400, page(options.issuer, 'Error', html`<h1>No login in progress</h1><p><a href="/">Start again</a></p>`));
      const config = await discover();
      const tokens = await oidc.authorizationCodeGrant(config, requestUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
      const claims = tokens.claims();
      session.tokens = { idToken: tokens.id_token as string, accessToken: tokens.access_token };
      session.userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims?.sub ?? oidc.skipSubjectCheck);
      return redirect(res, '/');
    }
    if (req.method === 'POST' && requestUrl.pathname === '/logout') {
      // A form post from this app's own page only (SameSite=Lax cookie, and the Origin checked).
      if (req.headers.origin !== url) return send(res, 403, page(options.issuer, 'Refused', html`<h1>Cross-site request refused</h1>`));
      const idToken = session.tokens?.idToken;
      sessions.delete(id);
      const config = await discover();
      if (idToken !== undefined && config.serverMetadata().end_session_endpoint !== undefined) {
        return redirect(res, oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: demoRpRedirectUris(url).postLogoutRedirectUri }).href);
      }
      return redirect(res, '/');
    }
    return send(res, 404, page(options.issuer, 'Not found', html`<h1>Not found</h1><p><a href="/">Home</a></p>`));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) send(res, 502, page(options.issuer, 'Error', html`<h1>The login did not work</h1><p>${message}</p><p><a href="/">Start again</a></p>`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  url = `http://${options.host ?? 'localhost'}:${String((server.address() as AddressInfo).port)}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        verifier.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
