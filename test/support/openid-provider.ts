import * as client from 'openid-client';
import { createClient, type NewClient } from '../../src/core/clients/create-client.ts';
import type { Clock } from '../../src/core/ports.ts';
import { testPassword } from './core-deps.ts';
import { signUpThroughApi } from './http-app.ts';
import { OpBrowser, type Credentials } from './op-browser.ts';
import { startTestServer, type TestServer } from './start-server.ts';

export const execute = [client.allowInsecureRequests]; // plain http on loopback, for the tests only

/** The real clock, moved forward by hand: the code-lifetime tests skip time without sleeping. */
export interface OffsetClock extends Clock {
  advance(ms: number): void;
}

export function offsetClock(): OffsetClock {
  let offsetMs = 0;
  return { nowMs: () => Date.now() + offsetMs, advance: (ms) => void (offsetMs += ms) };
}

export interface OpFixture {
  server: TestServer;
  clock: OffsetClock;
  /** Registers a client and discovers the provider as openid-client does. */
  rp(input: Omit<NewClient, 'audience'> & { id: string; audience?: string }, metadata?: Partial<client.ClientMetadata>): Promise<{ config: client.Configuration; secret: string | null }>;
  /** A user who signed up, and a fresh browser. */
  user(email: string): Promise<{ credentials: Credentials; browser: OpBrowser }>;
  close(): Promise<void>;
}

/** A running Gatehouse (SQLite, real HTTP) for relying parties driven by openid-client. */
export async function startOpFixture(): Promise<OpFixture> {
  const clock = offsetClock();
  const server = await startTestServer({ clock });
  return {
    server,
    clock,
    async rp(input, metadata = {}) {
      const { client: registered, secret } = await createClient(server.gatehouse.deps, input);
      const auth =
        registered.tokenEndpointAuthMethod === 'none'
          ? client.None()
          : registered.tokenEndpointAuthMethod === 'client_secret_post'
            ? client.ClientSecretPost(secret!)
            : client.ClientSecretBasic(secret!);
      const config = await client.discovery(new URL(server.url), registered.id, { id_token_signed_response_alg: registered.idTokenSignedResponseAlg, ...metadata }, auth, { execute });
      return { config, secret };
    },
    async user(email) {
      await signUpThroughApi(server.gatehouse.app, email, testPassword);
      return { credentials: { email, password: testPassword }, browser: new OpBrowser(server.url) };
    },
    close: () => server.close(),
  };
}

/** A PKCE + state + nonce authorization request, as a relying party makes it. */
export async function authorizationRequest(config: client.Configuration, redirectUri: string, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}
