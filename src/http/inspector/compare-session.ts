import { performance } from 'node:perf_hooks';
import { hashReference } from '../../core/trace/hash-reference.ts';
import { cookieFrom, elapsedMs, fieldsOf, timeLogoutBite, timeSessionChecks, type CompareColumn, type CompareContext } from './compare-measure.ts';

/** The classic server session: an opaque cookie, a row looked up on every request. */
export async function measureServerSession(context: CompareContext, email: string, password: string): Promise<CompareColumn> {
  const cookieName = context.app.sessionCookie.name;
  const startedAt = performance.now();
  const login = await context.app.inject({ method: 'POST', url: '/v1/session', payload: { email, password } });
  const loginMs = elapsedMs(startedAt);
  const token = cookieFrom(login, cookieName);
  if (token === undefined) throw new Error(`the password login answered ${String(login.statusCode)}`);
  const row = await context.recorder.muted(() => context.deps.store.sessions.findWithUser(token.split('.')[0] ?? ''));
  const workMicros = await timeSessionChecks(context, token);
  const logoutMs = await timeLogoutBite(context, cookieName, token);
  return {
    name: 'Server session',
    loginMs,
    loginNote: 'one request: password hash (argon2id), session row, cookie',
    serverStores: [row === null ? 'a sessions row' : `a sessions row: ${fieldsOf(row.session)}; the secret only as ${hashReference(row.session.secretHash)}`],
    clientHolds: [`the cookie ${cookieName}: ${String(token.length)} characters (id.secret), HttpOnly, Secure, SameSite=Lax; nothing a script can read`],
    workMicros,
    workNote: 'per request: one primary-key lookup (cached for a moment on SQLite), a constant-time hash compare, last-seen written at most every few minutes',
    logoutMs,
    logoutNote: logoutMs === null ? 'the old cookie was still accepted' : 'the row is deleted: the very next request with the old cookie is refused',
    scaling: 'every instance reads the same session store on each request (or a short cache in front of it); logout and revocation are instant because the row is the truth',
  };
}
