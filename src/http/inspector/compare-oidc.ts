import { performance } from 'node:perf_hooks';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { demoUser } from '../../dev/demo-user.ts';
import { flowCookieName } from '../oauth-flow-cookie.ts';
import { cookieFrom, elapsedMs, fieldsOf, timeLogoutBite, timeSessionChecks, type CompareColumn, type CompareContext } from './compare-measure.ts';

/**
 * A browser at the demo IdP, over fetch: keeps the IdP's cookies, signs in as the demo user and
 * allows the consent, until the IdP redirects back out. Returns where it went and how many round trips.
 */
async function throughDemoIdp(start: URL, jar: Map<string, string>): Promise<{ back: URL | null; roundTrips: number; askedForPassword: boolean }> {
  let next: { url: URL; form?: Record<string, string> } = { url: start };
  let askedForPassword = false;
  for (let roundTrips = 1; roundTrips <= 15; roundTrips += 1) {
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (next.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(next.url, { method: next.form === undefined ? 'GET' : 'POST', headers, redirect: 'manual', ...(next.form === undefined ? {} : { body: new URLSearchParams(next.form).toString() }) });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? '';
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get('location');
    if (location !== null) {
      await response.arrayBuffer();
      const target = new URL(location, next.url);
      if (target.origin !== start.origin) return { back: target, roundTrips, askedForPassword };
      next = { url: target };
      continue;
    }
    const body = await response.text();
    const login = /action="(\/interaction\/[^"]+\/login)"/.exec(body)?.[1];
    const confirm = /action="(\/interaction\/[^"]+\/confirm)"/.exec(body)?.[1];
    if (login !== undefined) {
      askedForPassword = true;
      next = { url: new URL(login, start.origin), form: { username: demoUser.username, password: demoUser.password } };
    } else if (confirm !== undefined) next = { url: new URL(confirm, start.origin), form: {} };
    else return { back: null, roundTrips, askedForPassword };
  }
  return { back: null, roundTrips: 15, askedForPassword };
}

/** Starts a social login at our app, through the IdP, back to our callback: the session cookie. */
async function socialLogin(context: CompareContext, jar: Map<string, string>): Promise<{ token: string | undefined; roundTrips: number; askedForPassword: boolean }> {
  const start = await context.app.inject({ method: 'GET', url: '/v1/oauth/demo/start?return_to=/account' });
  const flow = cookieFrom(start, flowCookieName);
  const location = start.headers.location;
  if (start.statusCode !== 302 || flow === undefined || typeof location !== 'string') throw new Error(`the social login start answered ${String(start.statusCode)}`);
  const { back, roundTrips, askedForPassword } = await throughDemoIdp(new URL(location), jar);
  if (back === null) throw new Error('the demo IdP never redirected back');
  const landed = await context.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, cookies: { [flowCookieName]: flow } });
  return { token: cookieFrom(landed, context.app.sessionCookie.name), roundTrips: roundTrips + 2, askedForPassword };
}

/** An OpenID Connect login at the demo IdP, ending in a Gatehouse session. */
export async function measureOidc(context: CompareContext, oauth: OAuthDeps | undefined): Promise<CompareColumn> {
  const base = { name: 'OAuth / OpenID Connect (demo IdP)', scaling: 'the login costs a redirect chain through the provider; after it, each request costs what the session it ends in costs. The provider keeps its own session, which a local logout does not end (RP-initiated logout does).' };
  if (oauth?.providers.get('demo') === undefined) {
    return { ...base, loginMs: null, loginNote: '', serverStores: [], clientHolds: [], workMicros: null, workNote: '', logoutMs: null, logoutNote: '', error: 'not measured: no demo IdP is configured (npm start runs one in dev mode)' };
  }
  const jar = new Map<string, string>();
  const startedAt = performance.now();
  const first = await socialLogin(context, jar);
  const loginMs = elapsedMs(startedAt);
  if (first.token === undefined) throw new Error('the social login set no session (does the demo account use a second factor?)');
  const row = await context.recorder.muted(() => context.deps.store.sessions.findWithUser(first.token?.split('.')[0] ?? ''));
  const identities = row === null ? [] : await context.recorder.muted(() => context.deps.store.oauthIdentities.listByUser(row.user.id));
  const workMicros = await timeSessionChecks(context, first.token);
  const logoutMs = await timeLogoutBite(context, context.app.sessionCookie.name, first.token);
  // The IdP's own session outlives ours: a second login there does not ask for the password.
  const again = await socialLogin(context, jar);
  if (again.token !== undefined) await timeLogoutBite(context, context.app.sessionCookie.name, again.token);
  return {
    ...base,
    loginMs,
    loginNote: `${String(first.roundTrips)} HTTP round trips: our start, the provider's authorize, login and consent pages, our callback (which exchanges the code with PKCE and checks the ID token)`,
    serverStores: [
      'a flow record while the login runs (state, nonce and PKCE verifier derived from its cookie; deleted at the callback)',
      `the linked identity: ${identities[0] === undefined ? 'issuer and subject' : fieldsOf(identities[0])}`,
      row === null ? 'a sessions row' : `a sessions row, as for a server session: ${fieldsOf(row.session)}`,
    ],
    clientHolds: [`our session cookie ${context.app.sessionCookie.name}`, `at the provider, its own cookies: ${[...jar.keys()].join(', ') || 'none'}`],
    workMicros,
    workNote: 'per request: the same session check as a server session (the provider is not asked again)',
    logoutMs,
    logoutNote: `our session ends at once; the provider's session ${again.askedForPassword ? 'was gone too' : 'lives on: signing in again skipped the password'}`,
  };
}
