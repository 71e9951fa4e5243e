import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { CoreDeps } from '../../src/core/deps.ts';
import { grantOperator } from '../../src/core/operators/set-operator.ts';
import { testContext } from './core-deps.ts';

/**
 * Turns TOTP on for the account straight in the store (the secret is a stand-in: the tests that
 * use this never type a code), as the console's second-factor check reads it.
 */
export async function seedConfirmedTotp(core: CoreDeps, userId: string): Promise<void> {
  const nowMs = core.clock.nowMs();
  await core.store.totp.putPending({ userId, secretJwe: 'stand-in', createdAtMs: nowMs, confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: null });
  await core.store.totp.confirm(userId, nowMs, 1);
}

/**
 * Records on every open session of the account that it used a second factor (`mfa` in its amr,
 * its login time unchanged), as a login with the password and a TOTP code would have.
 */
export async function markSessionsMultiFactor(core: CoreDeps, userId: string): Promise<void> {
  for (const session of await core.store.sessions.listByUser(userId)) {
    await core.store.sessions.recordAuthentication(session.id, session.authTimeMs, [...new Set([...session.amr, 'mfa', 'otp'])].sort());
  }
}

/**
 * Makes the account an operator with TOTP on, and its open sessions ones that used it: what the
 * console at /admin requires (docs/security.md SEC-271, SEC-167).
 */
export async function makeConsoleOperator(core: CoreDeps, userId: string): Promise<void> {
  await grantOperator(core, userId, testContext('cli', 'gatehouse-cli'));
  await seedConfirmedTotp(core, userId);
  await markSessionsMultiFactor(core, userId);
}

/** The cookie that carries a new secret to the console page showing it once (src/http/pages/admin/shown-once.ts). */
export const shownOnceCookieName = '__Host-gatehouse_shown_once';

/**
 * What a browser does after a console POST that made a secret: follows the 303 with the cookie it
 * set. Returns the page, and the cookie's value (to try a replay) and whether the page cleared it.
 */
export async function followShownOnce(app: FastifyInstance, posted: LightMyRequestResponse, sessionCookie: Record<string, string>): Promise<{ page: LightMyRequestResponse; cookie: string; cleared: boolean }> {
  const set = posted.cookies.find((c) => c.name === shownOnceCookieName);
  if (posted.statusCode !== 303 || set === undefined) throw new Error(`expected a 303 with the shown-once cookie, got ${posted.statusCode}: ${posted.body}`);
  const page = await app.inject({ method: 'GET', url: String(posted.headers.location), headers: { accept: 'text/html', cookie: `${sessionCookie.cookie}; ${shownOnceCookieName}=${set.value}` } });
  const cleared = page.cookies.some((c) => c.name === shownOnceCookieName && c.value === '');
  return { page, cookie: set.value, cleared };
}
