import type { CoreDeps } from '../deps.ts';
import { parseSessionToken } from './session-token.ts';

/**
 * Why a browser's session cookie no longer opens a session, as far as the server still knows:
 * - `ended_elsewhere`: another session of the account signed this one out (revoked from
 *   /account or the API, every other session ended by a password or email change);
 * - `unknown`: anything else (expired, logged out, never valid), or an end older than the
 *   revocation feed keeps its entries (the access-token lifetime).
 */
export type SessionEndExplanation = 'ended_elsewhere' | 'unknown';

const endedByAnotherSession: ReadonlySet<string> = new Set(['session_revoked', 'password_changed', 'email_changed']);

/**
 * Called only after validateSession refused the cookie. The answer is a choice between two fixed
 * messages, never the token or any detail of the account, so the login page can say why the user
 * is there without a secret in the URL (docs/security.md SEC-141).
 *
 * @example
 * if ((await explainSessionEnd(deps, cookie)) === 'ended_elsewhere') redirect('/login?why=signed-out-elsewhere');
 */
export async function explainSessionEnd(deps: Pick<CoreDeps, 'store'>, token: string): Promise<SessionEndExplanation> {
  const parsed = parseSessionToken(token);
  if (parsed === null) return 'unknown';
  const reason = await deps.store.revocations.sessionEndReason(parsed.id);
  return reason !== null && endedByAnotherSession.has(reason) ? 'ended_elsewhere' : 'unknown';
}
