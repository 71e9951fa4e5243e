import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { html } from '../http/pages/html.ts';
import { handleInteraction, page, send, type ProviderInstance } from './demo-idp-interactions.ts';
import { memoryAdapter } from './demo-idp-storage.ts';
import { demoUser, type DemoUser } from './demo-user.ts';

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

export { demoUser, type DemoUser } from './demo-user.ts';

export interface DemoClient {
  clientId: string;
  /** Absent for a client that authenticates with a private key, or a public client (`none`). */
  clientSecret?: string;
  redirectUris: string[];
  /** How the client authenticates at the token endpoint; default `client_secret_basic`. */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** For `private_key_jwt`: the client's public keys. */
  jwks?: { keys: JWK[] };
  /** The ID token's algorithm (`id_token_signed_response_alg`); default RS256. Another needs a key of it in `extraSigningKeys`. */
  idTokenSignedResponseAlg?: 'RS256' | 'ES256';
}

export interface DemoIdpOptions {
  /** 0 picks a free port. The provider listens on 127.0.0.1 only. */
  port: number;
  clients: DemoClient[];
  users?: DemoUser[];
  /** The private signing key (RS256 JWK); generated when absent. Tests pass their own to sign forged tokens with the IdP's real key. */
  signingKey?: JWK;
  /** More private signing keys (e.g. an ES256 one for a client registered with that ID token algorithm). */
  extraSigningKeys?: JWK[];
  /**
   * `id-token` (the default, like Google): the email claims are in the ID token too.
   * `userinfo-only`: they are only at the userinfo endpoint, as some providers do.
   */
  emailClaims?: 'id-token' | 'userinfo-only';
  /** The token endpoint authentication methods the provider accepts and lists in its discovery document; default `client_secret_basic` and `client_secret_post`. */
  clientAuthMethods?: string[];
}

export interface DemoIdp {
  /** `http://127.0.0.1:PORT`: the issuer, and the base of every endpoint. */
  issuer: string;
  /** The private signing key the provider signs ID tokens with (for tests that forge tokens). */
  signingKey: JWK;
  close(): Promise<void>;
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
      ...(c.clientSecret === undefined ? {} : { client_secret: c.clientSecret }),
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
      ...(c.jwks === undefined ? {} : { jwks: c.jwks }),
      ...(c.idTokenSignedResponseAlg === undefined ? {} : { id_token_signed_response_alg: c.idTokenSignedResponseAlg }),
    })),
    clientAuthMethods: options.clientAuthMethods ?? ['client_secret_basic', 'client_secret_post'],
    async findAccount(_ctx: unknown, sub: string) {
      const user = users.find((u) => u.sub === sub);
      if (user === undefined) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: user.email, email_verified: user.emailVerified, name: user.name }) };
    },
    // `amr` (how the user logged in at the IdP) goes in the ID token when the login recorded one.
    claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    // By default like Google: the scope's claims are in the ID token too, not only at userinfo.
    conformIdTokenClaims: options.emailClaims === 'userinfo-only',
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    jwks: { keys: [signingKey, ...(options.extraSigningKeys ?? [])] },
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
