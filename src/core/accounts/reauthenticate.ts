import { auditEvent } from '../audit/audit-event.ts';
import { verifySecondFactor } from '../credentials/verify-second-factor.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { verifyEmailCode } from '../otp/email-code.ts';
import { verifyPasskeyReauthentication, type PasskeyProof } from '../passkeys/passkey-reauthentication.ts';
import type { SessionWithUser } from '../ports.ts';
import { amrAfterReauthentication, type AuthenticationFactor } from '../sessions/authentication-methods.ts';
import { verifyCurrentPassword } from './verify-current-password.ts';

/**
 * Proof that the person at the keyboard is the account's owner, before a sensitive change: the
 * password, a code mailed for purpose `reauth` (POST /v1/me/reauth-code), a TOTP code, or a
 * user-verified answer from one of the account's passkeys (docs/security.md SEC-192).
 */
export type Reauthentication = { password: string } | { emailCode: string } | { code: string } | { passkey: PasskeyProof };

/**
 * Checks the proof without recording anything on the session (wrong passwords and codes still
 * count against their limits). Returns the session as it would be after re-authenticating.
 */
export async function verifyReauthentication(deps: CoreDeps, current: SessionWithUser, proof: Reauthentication, context: RequestContext): Promise<SessionWithUser> {
  const factor = await verifyProof(deps, current, proof, context);
  await deps.store.audit.append(auditEvent(deps, 'reauth.succeeded', context, { userId: current.user.id, detail: `${factor} session ${current.session.id}` }));
  return { user: current.user, session: { ...current.session, authTimeMs: deps.clock.nowMs(), amr: amrAfterReauthentication(current.session.amr, factor) } };
}

async function verifyProof(deps: CoreDeps, current: SessionWithUser, proof: Reauthentication, context: RequestContext): Promise<AuthenticationFactor> {
  const { user } = current;
  if ('passkey' in proof) return verifyPasskeyReauthentication(deps, current, proof.passkey, context);
  if ('password' in proof) {
    // An empty password is a wrong one (and counted as one).
    await verifyCurrentPassword(deps, user, proof.password);
    return 'password';
  }
  if ('emailCode' in proof && proof.emailCode !== '') {
    // A code issued for login is refused here (the purpose is part of its hash).
    await verifyEmailCode(deps, user, 'reauth', proof.emailCode, context);
    return 'email_code';
  }
  if ('code' in proof && proof.code !== '') {
    // Only a confirmed authenticator counts; a wrong code is counted and capped like at login.
    await verifySecondFactor(deps, user, { code: proof.code }, context);
    return 'totp';
  }
  throw new AuthError('reauthentication_required');
}

/**
 * Re-authentication (docs/security.md SEC-15, SEC-100): checks the proof, then records it on the
 * session, so for the next few minutes (`sessionPolicy.reauthWindowMs`) the session may make
 * sensitive changes without asking again. Returns the session as it now is.
 */
export async function reauthenticate(deps: CoreDeps, current: SessionWithUser, proof: Reauthentication, context: RequestContext): Promise<SessionWithUser> {
  const after = await verifyReauthentication(deps, current, proof, context);
  await deps.store.sessions.recordAuthentication(after.session.id, after.session.authTimeMs, after.session.amr);
  return after;
}
