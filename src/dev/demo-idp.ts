import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { html, type SafeHtml } from '../http/pages/html.ts';

/**
 * The demo identity provider: a real OpenID Connect provider (the `oidc-provider` package) on
 * its own loopback port, with one demo user and its own login and consent pages. `gatehouse
 * serve --dev` starts it and configures it as the provider "demo", so a newcomer can watch a
 * whole social login with no internet; the OAuth tests run against the same module.
 *
 * `oidc-provider` is a dev dependency, imported here only when the demo IdP is started: a
 * production install (`npm ci --omit=dev`) never loads it, and production code never needs it.
 *
 * Never for production: users and their passwords are fixed, and everything is in memory.
 */

export interface DemoUser {
  sub: string;
  username: string;
  password: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

/** The user `npm start` offers. The login page shows these credentials: this provider is for demos only. */
export const demoUser: DemoUser = Object.freeze({
  sub: 'demo-user-1',
  username: 'demo',
  password: 'demo-password',
  email: 'demo.user@example.com',
  emailVerified: true,
  name: 'Demo User',
});

export interface DemoClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface DemoIdpOptions {
  /** 0 picks a free port. The provider listens on 127.0.0.1 only. */
  port: number;
  clients: DemoClient[];
  users?: DemoUser[];
  /** The private signing key (RS256 JWK); generated when absent. Tests pass their own to sign forged tokens with the IdP's real key. */
  signingKey?: JWK;
  /**
   * `id-token` (the default, like Google): the email claims are in the ID token too.
   * `userinfo-only`: they are only at the userinfo endpoint, as some providers do.
   */
  emailClaims?: 'id-token' | 'userinfo-only';
}

export interface DemoIdp {
  /** `http://127.0.0.1:PORT`: the issuer, and the base of every endpoint. */
  issuer: string;
  /** The private signing key the provider signs ID tokens with (for tests that forge tokens). */
  signingKey: JWK;
  close(): Promise<void>;
}

/** The minimal surface of oidc-provider used here (the package ships no types). */
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; prompt: { name: string; details: Record<string, unknown> }; params: Record<string, unknown>; session?: { accountId?: string }; grantId?: string }>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: {
    new (init: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  };
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}

interface StoredArtifact {
  payload: Record<string, unknown>;
  expiresAtMs: number | null;
}

/**
 * oidc-provider's storage adapter interface over one Map per provider instance: the demo keeps
 * its sessions, grants and codes in memory on purpose (and says so in the README), and each
 * instance has its own, so tests that start several providers never share state.
 */
function memoryAdapter(): (name: string) => Record<string, (...args: never[]) => Promise<unknown>> {
  const artifacts = new Map<string, StoredArtifact>();
  const live = (key: string): Record<string, unknown> | undefined => {
    const artifact = artifacts.get(key);
    if (artifact === undefined) return undefined;
    if (artifact.expiresAtMs !== null && artifact.expiresAtMs <= Date.now()) {
      artifacts.delete(key);
      return undefined;
    }
    return artifact.payload;
  };
  return (name) => {
    const key = (id: string): string => `${name}:${id}`;
    const findBy = async (field: string, value: string): Promise<Record<string, unknown> | undefined> => {
      for (const k of artifacts.keys()) if (k.startsWith(`${name}:`) && live(k)?.[field] === value) return live(k);
      return undefined;
    };
    return {
      async upsert(id: string, payload: Record<string, unknown>, expiresInSeconds?: number) {
        artifacts.set(key(id), { payload, expiresAtMs: typeof expiresInSeconds === 'number' ? Date.now() + expiresInSeconds * 1000 : null });
      },
      find: async (id: string) => live(key(id)),
      findByUid: (uid: string) => findBy('uid', uid),
      findByUserCode: (userCode: string) => findBy('userCode', userCode),
      async consume(id: string) {
        const payload = live(key(id));
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id: string) {
        artifacts.delete(key(id));
      },
      async revokeByGrantId(grantId: string) {
        for (const [k, artifact] of artifacts) if (artifact.payload.grantId === grantId) artifacts.delete(k);
      },
    };
  };
}

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Demo IdP</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}label,input,button{display:block;width:100%;margin:.3rem 0;font-size:1rem}input{padding:.4rem}button{padding:.5rem;margin-top:1rem}.note{background:#fff6d6;padding:.6rem;border-radius:.3rem}form.inline{display:inline}</style>
</head><body><p class="note">Demo identity provider, for trying Gatehouse without internet. Not a real account.</p>${body}</body></html>`.value;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // No form-action: after the consent form, the provider redirects to the app's callback.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  });
  res.end(body);
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginForm(uid: string, message?: string): string {
  return page(
    'Sign in',
    html`<h1>Sign in to the Demo IdP</h1>
${message === undefined ? '' : html`<p role="alert">${message}</p>`}
<p>Use <strong>${demoUser.username}</strong> / <strong>${demoUser.password}</strong>.</p>
<form method="post" action="/interaction/${uid}/login">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`,
  );
}

function consentForm(uid: string, clientId: string, scopes: string[]): string {
  return page(
    'Allow access',
    html`<h1>Allow access?</h1>
<p><strong>${clientId}</strong> asks to know who you are: ${scopes.join(', ')}.</p>
<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Deny</button></form>`,
  );
}

/** Our own interaction pages (login, consent, deny), through oidc-provider's interaction API. */
async function handleInteraction(provider: ProviderInstance, users: readonly DemoUser[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [, , uid, action] = (req.url ?? '').split('?')[0]?.split('/') ?? [];
  const details = await provider.interactionDetails(req, res);
  if (uid !== details.uid) return send(res, 400, page('Error', html`<p>Unknown interaction.</p>`));
  if (req.method === 'GET' && action === undefined) {
    if (details.prompt.name === 'login') return send(res, 200, loginForm(details.uid));
    const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean);
    return send(res, 200, consentForm(details.uid, String(details.params.client_id), scopes));
  }
  if (req.method !== 'POST') return send(res, 405, page('Error', html`<p>Method not allowed.</p>`));
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user denied the request.' }, { mergeWithLastSubmission: false });
  }
  if (action === 'login' && details.prompt.name === 'login') {
    const form = await formBody(req);
    const user = users.find((u) => u.username === form.get('username') && u.password === form.get('password'));
    if (user === undefined) return send(res, 200, loginForm(details.uid, 'Wrong username or password.'));
    return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm' && details.prompt.name === 'consent') {
    const accountId = details.session?.accountId;
    if (accountId === undefined) return send(res, 400, page('Error', html`<p>Sign in first.</p>`));
    const grant = (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const missingScope = details.prompt.details.missingOIDCScope as string[] | undefined;
    const missingClaims = details.prompt.details.missingOIDCClaims as string[] | undefined;
    if (missingScope !== undefined) grant.addOIDCScope(missingScope.join(' '));
    if (missingClaims !== undefined) grant.addOIDCClaims(missingClaims);
    return provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  }
  return send(res, 400, page('Error', html`<p>This step does not fit the sign-in in progress. <a href="/">Start again</a>.</p>`));
}

/**
 * Starts the demo provider on 127.0.0.1.
 *
 * @example
 * const idp = await startDemoIdp({ port: 0, clients: [{ clientId: 'gatehouse', clientSecret: 's', redirectUris: ['http://localhost:3000/v1/oauth/demo/callback'] }] });
 * // ... GATEHOUSE_OAUTH_OIDC="demo ${idp.issuer} gatehouse:s"
 * await idp.close();
 */
export async function startDemoIdp(options: DemoIdpOptions): Promise<DemoIdp> {
  const specifier = 'oidc-provider';
  let Provider: new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
  try {
    ({ default: Provider } = (await import(specifier)) as { default: typeof Provider });
  } catch (error) {
    throw new Error('the demo IdP needs the oidc-provider package, a dev dependency: run `npm ci` (without --omit=dev)', { cause: error });
  }
  const users = options.users ?? [demoUser];
  const signingKey = options.signingKey ?? { ...(await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey)), alg: 'RS256', use: 'sig', kid: `demo-${randomBytes(6).toString('hex')}` };

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handler === undefined) {
      res.writeHead(503).end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;

  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    async findAccount(_ctx: unknown, sub: string) {
      const user = users.find((u) => u.sub === sub);
      if (user === undefined) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: user.email, email_verified: user.emailVerified, name: user.name }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // By default like Google: the scope's claims are in the ID token too, not only at userinfo.
    conformIdTokenClaims: options.emailClaims === 'userinfo-only',
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    adapter: memoryAdapter(),
    // Seconds. Set explicitly (oidc-provider asks for it); short, like a real provider's.
    ttl: { AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600, Interaction: 3600, Session: 14 * 24 * 3600, Grant: 14 * 24 * 3600 },
    // Loopback http only: the provider sees plain HTTP and sets its cookies without Secure.
    renderError(ctx: { type: string; body: string }, out: Record<string, string>) {
      ctx.type = 'html';
      ctx.body = page('Error', html`<h1>Error</h1><p>${out.error ?? 'error'}: ${out.error_description ?? ''}</p>`);
    },
  });
  const providerCallback = provider.callback();
  handler = (req, res) => {
    if ((req.url ?? '').startsWith('/interaction/')) {
      handleInteraction(provider, users, req, res).catch(() => {
        if (!res.headersSent) send(res, 400, page('Error', html`<p>This sign-in has expired or is unknown. Go back to the app and start again.</p>`));
      });
      return;
    }
    providerCallback(req, res);
  };

  return {
    issuer,
    signingKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
