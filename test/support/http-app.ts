import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { CoreDeps } from '../../src/core/deps.ts';
import type { AppConfig } from '../../src/http/app-config.ts';
import { buildApp, type BuildAppOptions } from '../../src/http/app.ts';
import { deriveKeyEncryptionKeys } from '../../src/core/tokens/key-encryption.ts';
import { createIdTokenKeys } from '../../src/core/tokens/id-token-keys.ts';
import { createKeyRing } from '../../src/core/tokens/key-ring.ts';
import type { TokenDeps } from '../../src/core/tokens/issue-access-token.ts';
import type { SigningAlgorithm } from '../../src/core/tokens/signing-algorithms.ts';
import { sessionCookieName } from '../../src/http/session-cookie.ts';
import { createTestCore, type TestCore, type TestCoreOverrides } from './core-deps.ts';
import type { OAuthDeps } from '../../src/core/oauth-client/oauth-deps.ts';

export const testOrigin = 'https://auth.test';

export interface TestApp {
  app: FastifyInstance;
  core: TestCore;
  tokens: TokenDeps;
  close(): Promise<void>;
}

/** JWT mode over the test core's store and clock: ES256 keys (the default), 5-minute tokens, issuer = the test origin. */
export function createTestTokenDeps(core: TestCore, overrides: { algorithm?: SigningAlgorithm; publishAheadMs?: number; passwordGrantEnabled?: boolean } = {}): TokenDeps {
  const accessTokenTtlMs = 300_000;
  const ringOptions = { store: core.store.signingKeys, clock: core.clock, encryptionKeys: deriveKeyEncryptionKeys(['test-secret-test-secret-test-secret-0123']), accessTokenTtlMs, publishAheadMs: overrides.publishAheadMs ?? 300_000 };
  const keyRing = createKeyRing({ ...ringOptions, algorithm: overrides.algorithm ?? 'ES256' });
  return {
    keyRing,
    idTokenKeys: createIdTokenKeys(ringOptions, keyRing),
    clock: core.clock,
    random: core.random,
    issuer: testOrigin,
    accessTokenTtlMs,
    refreshPolicy: { idleTtlMs: 7 * 24 * 3_600_000, absoluteTtlMs: 30 * 24 * 3_600_000, reuseGraceMs: 10_000 },
    rotationKey: new Uint8Array(32).fill(9),
    passwordGrantEnabled: overrides.passwordGrantEnabled ?? true,
  };
}

/** The real HTTP app over a test core (memory store and manual clock unless overridden). */
export async function createTestApp(
  overrides: TestCoreOverrides & { config?: Partial<AppConfig>; oauth?: OAuthDeps } & Pick<BuildAppOptions, 'inspector' | 'schemaCompilers'> = {},
): Promise<TestApp> {
  const { config, oauth, inspector, schemaCompilers, ...coreOverrides } = overrides;
  const core = await createTestCore(coreOverrides);
  const tokens = createTestTokenDeps(core);
  await tokens.keyRing.ensureKey();
  const app = await buildApp({
    deps: core as CoreDeps,
    tokens,
    config: { publicUrl: testOrigin, trustedProxies: [], allowedReturnOrigins: [], ...config },
    ...(oauth === undefined ? {} : { oauth }),
    ...(inspector === undefined ? {} : { inspector }),
    ...(schemaCompilers === undefined ? {} : { schemaCompilers }),
  });
  return { app, core, tokens, close: () => app.close() };
}

/** Headers a same-origin browser fetch sends with a JSON body. */
export const sameOriginJson = { origin: testOrigin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' } as const;

/** The session token set by a response, or undefined. */
export function sessionTokenFrom(response: LightMyRequestResponse): string | undefined {
  const cookie = response.cookies.find((c) => c.name === sessionCookieName && c.value !== '');
  return cookie?.value;
}

export function withSession(token: string): Record<string, string> {
  return { cookie: `${sessionCookieName}=${token}` };
}

let signUps = 0;

/**
 * Signs up through the API, logs in, and returns the session token. Each call comes from its own
 * address (100.64.0.0/10) unless one is given, so the per-IP sign-up throttle stays out of tests about other things.
 */
export async function signUpThroughApi(
  app: FastifyInstance,
  email: string,
  password: string,
  headers: Record<string, string> = {},
  remoteAddress = `100.64.${Math.floor(++signUps / 250)}.${(signUps % 250) + 1}`,
): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/v1/users', remoteAddress, headers: { ...sameOriginJson, ...headers }, payload: { email, password } });
  if (response.statusCode !== 202) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
  // Sign-up never logs in (docs/security.md SEC-47); the test core lets an unverified account log in.
  const login = await app.inject({ method: 'POST', url: '/v1/session', remoteAddress, headers: { ...sameOriginJson, ...headers }, payload: { email, password } });
  const token = sessionTokenFrom(login);
  if (login.statusCode !== 200 || token === undefined) throw new Error(`login after sign-up failed: ${login.statusCode} ${login.body}`);
  return token;
}

export async function logInThroughApi(app: FastifyInstance, email: string, password: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/session', headers: { ...sameOriginJson, ...headers }, payload: { email, password } });
}

export function inject(app: FastifyInstance, options: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject(options);
}
