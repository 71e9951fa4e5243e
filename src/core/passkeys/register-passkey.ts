import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { requireRecentAuthentication } from '../sessions/recent-authentication.ts';
import type { PasskeyCredential, SessionWithUser } from '../ports.ts';
import { takeCeremony } from './ceremony.ts';
import { registrationOptions, type StartedRegistration } from './start-registration.ts';
import { verifyRegistration } from './verify-registration.ts';

/**
 * Starts adding a passkey to the signed-in account: a sensitive change, so the session must have
 * logged in or re-authenticated within the re-authentication window (docs/security.md SEC-187).
 * The ceremony is bound to this session (SEC-172): an answer carried to another session, or to
 * another account, is refused.
 */
export async function startPasskeyRegistration(deps: CoreDeps, current: SessionWithUser, context: RequestContext): Promise<StartedRegistration> {
  await requireRecentAuthentication(deps, current, undefined, context);
  const existing = await deps.store.passkeys.listByUser(current.user.id);
  return registrationOptions(deps, { id: current.user.id, email: current.user.email, existing }, 'register', { session: current.session.id });
}

/**
 * Finishes adding a passkey: the challenge is taken (single use, 5 minutes, this session), the
 * answer verified, and the passkey stored under the user's name for it. A credential id already
 * registered, to this or another account, is refused (docs/security.md SEC-178).
 */
export async function finishPasskeyRegistration(
  deps: CoreDeps,
  current: SessionWithUser,
  input: { ceremonySecret: string | undefined; name?: string; response: RegistrationResponseJSON },
  context: RequestContext,
): Promise<PasskeyCredential> {
  const challenge = await takeCeremony(deps, input.ceremonySecret, 'register', { session: current.session.id });
  if (challenge.userId !== current.user.id) throw new AuthError('passkey_challenge_invalid');
  const passkey = await verifyRegistration(deps, challenge, current.user.id, input);
  await deps.store.transaction(async (tx) => {
    if ((await tx.passkeys.create(passkey)) === 'credential_taken') throw new AuthError('passkey_already_registered');
    await tx.audit.append(auditEvent(deps, 'passkey.registered', context, { userId: current.user.id, email: current.user.email, detail: `${passkey.id} ${passkey.deviceType}` }));
  });
  return passkey;
}
