import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/** One signed-in user of the app: its tokens, and the Gatehouse session (`sid`) they came from. */
export interface RelyingPartySession {
  sub: string;
  sid: string;
  idToken: string;
  accessToken: string;
}

export interface RelyingParty {
  /** This app's origin, `http://127.0.0.1:PORT`. */
  origin: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  backchannelLogoutUri: string;
  /** The app's live sessions, by its own cookie value. */
  sessions: Map<string, RelyingPartySession>;
  /** Every logout token it accepted (claims), and every one it refused (why). */
  logouts: Array<Record<string, unknown>>;
  refusedLogouts: string[];
  close(): Promise<void>;
}

const backchannelEvent = 'http://schemas.openid.net/event/backchannel-logout';

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

async function bodyOf(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += (chunk as Buffer).toString('utf8');
  return body;
}

function send(response: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(`<!doctype html><html lang="en"><head><title>RP</title></head><body><main>${html}</main></body></html>`);
}

/**
 * A small real web app that uses Gatehouse as its OpenID Provider through openid-client (the
 * certified RP library): "Log in with Gatehouse" (code flow with PKCE, state and nonce), a page
 * that says who is signed in, "Log out" through RP-initiated logout, and a back-channel logout
 * endpoint that verifies the logout token with jose against Gatehouse's JWKS and ends the app's
 * sessions of that `sid`. Its cookie names carry `name`, since browsers share cookies between ports.
 */
export async function startRelyingParty(options: { name: string; issuer: string; port: number; clientId: string; clientSecret: string }): Promise<RelyingParty> {
  const origin = `http://127.0.0.1:${options.port}`;
  const redirectUri = `${origin}/callback`;
  const postLogoutRedirectUri = `${origin}/logged-out`;
  const backchannelLogoutUri = `${origin}/backchannel-logout`;
  const sessionCookie = `${options.name}_session`;
  const flowCookie = `${options.name}_flow`;
  const sessions = new Map<string, RelyingPartySession>();
  const flows = new Map<string, { verifier: string; state: string; nonce: string }>();
  const logouts: Array<Record<string, unknown>> = [];
  const refusedLogouts: string[] = [];
  let config: client.Configuration | undefined;
  const configuration = async (): Promise<client.Configuration> => {
    config ??= await client.discovery(new URL(options.issuer), options.clientId, options.clientSecret, client.ClientSecretBasic(options.clientSecret), { execute: [client.allowInsecureRequests] });
    return config;
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', origin);
      const current = sessions.get(cookieOf(request, sessionCookie) ?? '');
      if (request.method === 'GET' && url.pathname === '/') {
        return send(response, 200, current === undefined ? `<p data-rp="signed-out">${options.name}: signed out</p>` : `<p data-rp="signed-in">${options.name}: signed in as ${current.sub}</p>`);
      }
      if (request.method === 'GET' && url.pathname === '/login') {
        const verifier = client.randomPKCECodeVerifier();
        const flow = { verifier, state: client.randomState(), nonce: client.randomNonce() };
        const id = randomBytes(16).toString('base64url');
        flows.set(id, flow);
        const target = client.buildAuthorizationUrl(await configuration(), {
          redirect_uri: redirectUri,
          scope: 'openid profile email',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state: flow.state,
          nonce: flow.nonce,
        });
        response.writeHead(303, { location: target.href, 'set-cookie': `${flowCookie}=${id}; Path=/; HttpOnly; SameSite=Lax` }).end();
        return;
      }
      if (request.method === 'GET' && url.pathname === '/callback') {
        const flow = flows.get(cookieOf(request, flowCookie) ?? '');
        if (flow === undefined) return send(response, 400, '<p>no login in progress</p>');
        const tokens = await client.authorizationCodeGrant(await configuration(), url, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce });
        const claims = tokens.claims();
        if (claims === undefined || typeof claims['sid'] !== 'string') return send(response, 400, '<p>no sid in the ID token</p>');
        const id = randomBytes(16).toString('base64url');
        sessions.set(id, { sub: claims.sub, sid: claims['sid'], idToken: tokens.id_token ?? '', accessToken: tokens.access_token });
        response.writeHead(303, { location: '/', 'set-cookie': `${sessionCookie}=${id}; Path=/; HttpOnly; SameSite=Lax` }).end();
        return;
      }
      if (request.method === 'GET' && url.pathname === '/logout') {
        if (current === undefined) return send(response, 200, '<p>not signed in</p>');
        sessions.delete(cookieOf(request, sessionCookie) ?? '');
        const target = client.buildEndSessionUrl(await configuration(), { id_token_hint: current.idToken, post_logout_redirect_uri: postLogoutRedirectUri, state: `${options.name}-logout` });
        response.writeHead(303, { location: target.href }).end();
        return;
      }
      if (request.method === 'GET' && url.pathname === '/logged-out') {
        return send(response, 200, `<p data-rp="logged-out">${options.name}: logged out (state ${url.searchParams.get('state') ?? 'none'})</p>`);
      }
      if (request.method === 'POST' && url.pathname === '/backchannel-logout') {
        try {
          const token = new URLSearchParams(await bodyOf(request)).get('logout_token') ?? '';
          const metadata = (await configuration()).serverMetadata();
          const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(metadata.jwks_uri!)), { issuer: metadata.issuer, audience: options.clientId, typ: 'logout+jwt', requiredClaims: ['iat', 'exp', 'jti', 'events', 'sid'] });
          if ((payload['events'] as Record<string, unknown> | undefined)?.[backchannelEvent] === undefined) throw new Error('no back-channel logout event');
          if ('nonce' in payload) throw new Error('a nonce in a logout token');
          logouts.push(payload);
          for (const [id, session] of sessions) if (session.sid === payload['sid']) sessions.delete(id);
          response.writeHead(200, { 'cache-control': 'no-store' }).end();
        } catch (error) {
          refusedLogouts.push(String(error));
          response.writeHead(400, { 'cache-control': 'no-store' }).end();
        }
        return;
      }
      send(response, 404, '<p>not found</p>');
    })().catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, `<p>${String(error).replace(/</g, '&lt;')}</p>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    origin,
    redirectUri,
    postLogoutRedirectUri,
    backchannelLogoutUri,
    sessions,
    logouts,
    refusedLogouts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
