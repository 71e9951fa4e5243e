import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { webAuthnLibrary } from './webauthn-library.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { PasskeyChallenge, PasskeyCredential, User } from '../ports.ts';
import { userIdFromHandle } from './passkey-user-id.ts';

export interface VerifiedAssertion {
  user: User;
  passkey: PasskeyCredential;
  userVerified: boolean;
}

/** The library's reason, reduced to a short word for the audit trail (never shown to the client). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/origin/i.test(message)) return 'wrong_origin';
  if (/RP ID/i.test(message)) return 'wrong_rp_id';
  if (/counter/i.test(message)) return 'counter_regression';
  if (/user verification|could not be verified/i.test(message)) return 'user_not_verified';
  if (/challenge/i.test(message)) return 'wrong_challenge';
  if (/signature/i.test(message)) return 'bad_signature';
  return 'invalid_response';
}

/**
 * Verifies a passkey assertion against a taken challenge, by @simplewebauthn/server: the
 * challenge, one of the configured origins (SEC-174), the RP ID hash, user presence, user
 * verification when `requireUserVerification` (SEC-175), the signature with the stored public
 * key, and a signature counter that moved forward (0 stays allowed; SEC-176). The passkey must
 * belong to `expectedUserId` when the ceremony named an account, and to the user handle the
 * authenticator returned. The new counter is written as a compare-and-set, so of two answers
 * verified against one counter only one counts. Every refusal is one `passkey_refused`, with
 * the reason in the audit trail only.
 */
export async function verifyPasskeyAssertion(
  deps: CoreDeps,
  challenge: PasskeyChallenge,
  response: AuthenticationResponseJSON,
  options: { expectedUserId: string | null; requireUserVerification: boolean },
  context: RequestContext,
): Promise<VerifiedAssertion> {
  const refuse = async (reason: string, passkey: PasskeyCredential | null): Promise<never> => {
    await deps.store.audit.append(auditEvent(deps, 'passkey.failed', context, { userId: passkey?.userId ?? null, detail: passkey === null ? reason : `${passkey.id} ${reason}` }));
    throw new AuthError('passkey_refused');
  };
  const passkey = typeof response.id === 'string' && response.id.length <= 1400 ? await deps.store.passkeys.findByCredentialId(response.id) : null;
  if (passkey === null) return refuse('unknown_credential', null);
  if (options.expectedUserId !== null && passkey.userId !== options.expectedUserId) return refuse('other_account', passkey);
  const handle = userIdFromHandle(response.response?.userHandle);
  if (handle !== null && handle !== passkey.userId) return refuse('user_handle_mismatch', passkey);

  let verification;
  try {
    verification = await (await webAuthnLibrary()).verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: [...deps.passkeys.origins],
      expectedRPID: deps.passkeys.rpId,
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter, transports: passkey.transports as never },
      requireUserVerification: options.requireUserVerification,
    });
  } catch (error) {
    return refuse(reasonOf(error), passkey);
  }
  if (!verification.verified) return refuse('invalid_response', passkey);
  const info = verification.authenticationInfo;

  const user = await deps.store.users.findById(passkey.userId);
  if (user === null) return refuse('unknown_account', passkey);
  if (user.disabledAtMs !== null) {
    await deps.store.audit.append(auditEvent(deps, 'login.failed', context, { userId: user.id, email: user.email, detail: 'account_disabled' }));
    throw new AuthError('account_disabled');
  }
  // The counter and its audit entry commit together (one commit, not two).
  const used = await deps.store.transaction(async (tx) => {
    if (!(await tx.passkeys.recordUse(passkey.id, { expectedCounter: passkey.counter, counter: info.newCounter, backedUp: info.credentialBackedUp, atMs: deps.clock.nowMs() }))) return false;
    await tx.audit.append(auditEvent(deps, 'passkey.used', context, { userId: user.id, email: user.email, detail: `${passkey.id}${info.userVerified ? ' user verified' : ''}` }));
    return true;
  });
  if (!used) return refuse('concurrent_use', passkey);
  return { user, passkey: { ...passkey, counter: info.newCounter, backedUp: info.credentialBackedUp }, userVerified: info.userVerified };
}
