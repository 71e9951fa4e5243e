import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { SessionWithUser, User } from '../ports.ts';
import type { StartedSession } from '../sessions/start-session.ts';
import { startLoggedInSession } from '../credentials/log-in.ts';
import { consumePendingLogin, readPendingLogin } from '../credentials/pending-login.ts';
import { amrOf } from '../sessions/authentication-methods.ts';
import { accountPasskeyOptions } from './account-passkey-options.ts';
import { openCeremony } from './ceremony.ts';
import { passkeyAmr } from './passkey-amr.ts';
import type { StartedPasskeyLogin } from './passkey-login.ts';
import { verifyPasskeyAssertion } from './verify-assertion.ts';

/**
 * Options for finishing a pending login (after a password, an emailed code or a social login)
 * with one of the account's passkeys. The ceremony is bound to this pending login
 * (docs/security.md SEC-172); user verification is preferred, not required: the first step
 * was already one factor and the passkey is the second.
 */
export async function startPasskeySecondFactor(deps: CoreDeps, pendingToken: string): Promise<StartedPasskeyLogin> {
  const user = (await readPendingLogin(deps, pendingToken))?.user ?? null;
  if (user === null) throw new AuthError('no_pending_login');
  return accountPasskeyOptions(deps, user.id, 'second_factor', { pendingLogin: pendingToken }, 'preferred');
}

/** The second step of a login with a passkey of that account: the pending login becomes a session. */
export async function completePasskeySecondFactor(
  deps: CoreDeps,
  input: { pendingToken: string; ceremonyToken: string | undefined; response: AuthenticationResponseJSON; previousSession?: SessionWithUser },
  context: RequestContext,
): Promise<StartedSession & { user: User; amr: string[] }> {
  const pending = await readPendingLogin(deps, input.pendingToken);
  if (pending === null) throw new AuthError('no_pending_login');
  const { user } = pending;
  const ceremony = openCeremony(deps, input.ceremonyToken, 'second_factor', user.id, { pendingLogin: input.pendingToken });
  const { passkey, userVerified } = await verifyPasskeyAssertion(deps, ceremony, input.response, { expectedUserId: user.id, requireUserVerification: false }, context);
  // The first step was a factor, the passkey another: multi-factor whether or not it verified the user.
  const amr = [...new Set([...passkeyAmr(passkey, userVerified), 'mfa', ...amrOf(pending.factors)])].sort();
  // Used up once it succeeds, like the TOTP second step (docs/security.md SEC-106).
  if (!(await consumePendingLogin(deps, pending))) throw new AuthError('no_pending_login');
  const started = await startLoggedInSession(deps, user, { amr, method: `passkey second factor ${amr.join(' ')}`, ...(input.previousSession === undefined ? {} : { previousSession: input.previousSession }) }, context);
  return { ...started, amr };
}
