import { AuthError } from '../errors.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser, User } from '../ports.ts';
import type { StartedSession } from '../sessions/start-session.ts';
import { startLoggedInSession } from './log-in.ts';
import { consumePendingLogin, readPendingLogin } from './pending-login.ts';
import { amrOf } from '../sessions/authentication-methods.ts';
import { verifySecondFactor, type SecondFactorProof } from './verify-second-factor.ts';

export type { SecondFactorProof } from './verify-second-factor.ts';

/**
 * The second step of a login (after a password, an emailed code or a provider login): the
 * pending login and a right code make the session. The pending login is used up on success, so
 * the same cookie with another code makes no second session (docs/security.md SEC-106).
 */
export async function completeSecondFactor(
  deps: CoreDeps,
  input: { pendingToken: string; proof: SecondFactorProof; previousSession?: SessionWithUser },
  context: RequestContext,
): Promise<StartedSession & { user: User; method: 'totp' | 'recovery_code' }> {
  const pending = await readPendingLogin(deps, input.pendingToken);
  if (pending === null) throw new AuthError('no_pending_login');
  const { user } = pending;
  const method = await verifySecondFactor(deps, user, input.proof, context);
  if (!(await consumePendingLogin(deps, pending))) throw new AuthError('no_pending_login');
  const started = await startLoggedInSession(
    deps,
    user,
    { method: [...pending.factors, method].join(' + '), amr: amrOf([...pending.factors, method]), ...(input.previousSession === undefined ? {} : { previousSession: input.previousSession }) },
    context,
  );
  return { ...started, method };
}
