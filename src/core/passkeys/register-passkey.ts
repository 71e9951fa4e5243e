import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import { requireRecentAuthenticationToAddFactor } from '../sessions/recent-authentication.ts';
import type { PasskeyCredential, SessionWithUser } from '../ports.ts';
import { answerOnce, openCeremony } from './ceremony.ts';
import { registrationOptions, type StartedRegistration } from './start-registration.ts';
import { verifyRegistration } from './verify-registration.ts';

/**
 * Starts adding a passkey to the signed-in account: a sensitive change, so the session must have
 * logged in or re-authenticated within the re-authentication window (docs/security.md SEC-187),
 * with more than the password when the account already has a second factor (SEC-168).
 * The ceremony is bound to this session (SEC-172): an answer carried to another session, or to
 * another account, is refused.
 */
export async function startPasskeyRegistration(deps: CoreDeps, current: SessionWithUser, context: RequestContext): Promise<StartedRegistration> {
  await requireRecentAuthenticationToAddFactor(deps, current, undefined, context);
  const existing = await deps.store.passkeys.listByUser(current.user.id);
  return registrationOptions(deps, { id: current.user.id, email: current.user.email, existing }, 'register', { session: current.session.id });
}

/**
 * Finishes adding a passkey: the ceremony checked (5 minutes, this session and account), the
 * answer verified, and the passkey stored under the user's name for it as the challenge is used
 * up (single use). A credential id already
 * registered, to this or another account, is refused (docs/security.md SEC-178). The owner is
 * mailed a security notice: a passkey is a lasting way in that outlives a password change, so one
 * added by someone else must not go unnoticed (SEC-164).
 */
export async function finishPasskeyRegistration(
  deps: CoreDeps,
  current: SessionWithUser,
  input: { ceremonyToken: string | undefined; name?: string; response: RegistrationResponseJSON },
  context: RequestContext,
): Promise<PasskeyCredential> {
  const ceremony = openCeremony(deps, input.ceremonyToken, 'register', current.user.id, { session: current.session.id });
  const passkey = await verifyRegistration(deps, ceremony, current.user.id, input);
  await answerOnce(deps, ceremony, async (tx) => {
    if ((await tx.passkeys.create(passkey)) === 'credential_taken') throw new AuthError('passkey_already_registered');
    await tx.audit.append(auditEvent(deps, 'passkey.registered', context, { userId: current.user.id, email: current.user.email, detail: `${passkey.id} ${passkey.deviceType}` }));
  });
  notifySecurityEvent(deps, 'passkey_added', current.user, context, { passkey: passkey.name });
  return passkey;
}
