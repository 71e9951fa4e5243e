import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { CoreDeps } from '../../src/core/deps.ts';
import { buildApp, type AppConfig } from '../../src/http/app.ts';
import { sessionCookieName } from '../../src/http/session-cookie.ts';
import { createTestCore, type TestCore, type TestCoreOverrides } from './core-deps.ts';

export const testOrigin = 'https://auth.test';

export interface TestApp {
  app: FastifyInstance;
  core: TestCore;
  close(): Promise<void>;
}

/** The real HTTP app over a test core (memory store and manual clock unless overridden). */
export async function createTestApp(overrides: TestCoreOverrides & { config?: Partial<AppConfig> } = {}): Promise<TestApp> {
  const { config, ...coreOverrides } = overrides;
  const core = await createTestCore(coreOverrides);
  const app = await buildApp({
    deps: core as CoreDeps,
    config: { publicUrl: testOrigin, trustedProxies: [], allowedReturnOrigins: [], ...config },
  });
  return { app, core, close: () => app.close() };
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
 * Signs up through the API and returns the session token. Each call comes from its own
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
  if (response.statusCode !== 201) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
  const token = sessionTokenFrom(response);
  if (token === undefined) throw new Error('sign-up set no session cookie');
  return token;
}

export async function logInThroughApi(app: FastifyInstance, email: string, password: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/session', headers: { ...sameOriginJson, ...headers }, payload: { email, password } });
}

export function inject(app: FastifyInstance, options: InjectOptions): Promise<LightMyRequestResponse> {
  return app.inject(options);
}
