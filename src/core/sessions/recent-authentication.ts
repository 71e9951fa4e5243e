import { verifyReauthentication, type Reauthentication } from '../accounts/reauthenticate.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { hasStrongSecondFactor } from '../operators/operator-access.ts';
import type { SessionWithUser } from '../ports.ts';

/** True when the session's user logged in or re-authenticated within `sessionPolicy.reauthWindowMs`. */
export function isRecentlyAuthenticated(deps: Pick<CoreDeps, 'clock' | 'sessionPolicy'>, current: SessionWithUser): boolean {
  return deps.clock.nowMs() - current.session.authTimeMs <= deps.sessionPolicy.reauthWindowMs;
}

/**
 * The one gate in front of every sensitive change (docs/security.md SEC-100): linking or
 * unlinking a provider, removing a passkey (SEC-227), starting or confirming TOTP enrolment,
 * turning TOTP off, new recovery codes, a new password, deleting the account. A stolen session cookie alone passes it only within minutes of
 * its owner's own login or re-authentication.
 *
 * With `proof` (a password, emailed code or TOTP code sent along with the change), the proof is
 * checked; it counts for this change only (nothing is written to the session, so a change refused
 * afterwards leaves no trace: POST /v1/me/reauth is what opens the window). Without it, the
 * session must have authenticated recently, or `reauthentication_required` (403) says to
 * re-authenticate. Returns the session as it is for this change.
 */
export async function requireRecentAuthentication(
  deps: CoreDeps,
  current: SessionWithUser,
  proof: Reauthentication | undefined,
  context: RequestContext,
): Promise<SessionWithUser> {
  if (proof !== undefined) return verifyReauthentication(deps, current, proof, context);
  if (isRecentlyAuthenticated(deps, current)) return current;
  throw new AuthError('reauthentication_required', {
    detail: `Confirm it is you first (POST /v1/me/reauth with your password, an emailed code or an authenticator code); it then holds for ${Math.round(deps.sessionPolicy.reauthWindowMs / 60_000)} minutes.`,
  });
}

/**
 * The gate in front of a change that adds a way in or a second factor (a passkey, TOTP, a linked
 * provider): requireRecentAuthentication, and, when the account already has a second factor (a
 * confirmed TOTP or a passkey), a session that has proved something besides the password, at its
 * login or a re-authentication (an `amr` other than `pwd`: a passkey, an authenticator, recovery
 * or emailed code, a provider). Otherwise a phished password alone would add the thief's own
 * passkey, authenticator or provider account, then log in with it as "multi-factor", past every
 * second-factor check (the console's, a forward-auth rule's, an app's `acr`; docs/security.md SEC-168).
 */
export async function requireRecentAuthenticationToAddFactor(
  deps: CoreDeps,
  current: SessionWithUser,
  proof: Reauthentication | undefined,
  context: RequestContext,
): Promise<SessionWithUser> {
  const checked = await requireRecentAuthentication(deps, current, proof, context);
  if (checked.session.amr.some((method) => method !== 'pwd') || !(await hasStrongSecondFactor(deps, checked.user.id))) return checked;
  throw new AuthError('reauthentication_required', {
    detail: 'This account has a second factor: confirm it is you with it (a passkey or an authenticator code), or with a code we email you. The password alone does not add a way in.',
  });
}
