import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { webAuthnLibrary } from './webauthn-library.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { AuditEvent, PasskeyCredential, User } from '../ports.ts';
import { useUpCeremony, type OpenedCeremony } from './ceremony.ts';
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
 * Verifies a passkey assertion against an opened ceremony's challenge, by @simplewebauthn/server: the
 * challenge, one of the configured origins (SEC-174), the RP ID hash, user presence, user
 * verification when `requireUserVerification` (SEC-175), the signature with the stored public
 * key, and a signature counter that moved forward (0 stays allowed; SEC-176). The passkey must
 * belong to `expectedUserId` when the ceremony named an account, and to the user handle the
 * authenticator returned. The new counter is written as a compare-and-set, so of two answers
 * verified against one counter only one counts. Every refusal is one `passkey_refused`, with
 * the reason in the audit trail only.
 *
 * The challenge is used up here (ceremony.ts useUpCeremony), in the transaction that writes the
 * counter and the audit entry, or that audits the refusal, so it is answered once whatever the
 * outcome. Of two answers with one challenge, the one that finds it already used gets
 * `passkey_challenge_invalid` and writes nothing.
 */
export async function verifyPasskeyAssertion(
  deps: CoreDeps,
  ceremony: OpenedCeremony,
  response: AuthenticationResponseJSON,
  options: { expectedUserId: string | null; requireUserVerification: boolean },
  context: RequestContext,
): Promise<VerifiedAssertion> {
  const refuseWith = async (code: 'passkey_refused' | 'account_disabled', event: AuditEvent): Promise<never> => {
    deps.trace?.step({ kind: 'decision', title: `Passkey refused: ${event.detail ?? code}`, outcome: 'refused', detail: { code }, teach: 'webauthn' });
    const first = await deps.store.transaction(async (tx) => {
      if (!(await useUpCeremony(tx, ceremony))) return false;
      await tx.audit.append(event);
      return true;
    });
    throw new AuthError(first ? code : 'passkey_challenge_invalid');
  };
  const failed = (reason: string, passkey: PasskeyCredential | null): AuditEvent =>
    auditEvent(deps, 'passkey.failed', context, { userId: passkey?.userId ?? null, detail: passkey === null ? reason : `${passkey.id} ${reason}` });
  const refuse = (reason: string, passkey: PasskeyCredential | null): Promise<never> => refuseWith('passkey_refused', failed(reason, passkey));
  // The passkey and its account in one read (a passkey's account always exists: deleting the account deletes its passkeys).
  const found = typeof response.id === 'string' && response.id.length <= 1400 ? await deps.store.passkeys.findWithUser(response.id) : null;
  if (found === null) return refuse('unknown_credential', null);
  const { passkey, user } = found;
  if (options.expectedUserId !== null && passkey.userId !== options.expectedUserId) return refuse('other_account', passkey);
  // The pages post the answer as a form field, with no schema in front: a user handle that is
  // not a string (a number, true) is a malformed answer, refused like any other (SEC-166).
  const rawHandle: unknown = response.response?.userHandle;
  if (rawHandle !== undefined && typeof rawHandle !== 'string') return refuse('invalid_response', passkey);
  const handle = userIdFromHandle(rawHandle);
  if (handle !== null && handle !== passkey.userId) return refuse('user_handle_mismatch', passkey);

  let verification;
  try {
    verification = await (await webAuthnLibrary()).verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
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

  if (user.disabledAtMs !== null) return refuseWith('account_disabled', auditEvent(deps, 'login.failed', context, { userId: user.id, email: user.email, detail: 'account_disabled' }));
  // The challenge, the counter and the audit entry commit together (one commit, not three).
  const outcome = await deps.store.transaction(async (tx) => {
    if (!(await useUpCeremony(tx, ceremony))) return 'challenge_gone';
    if (!(await tx.passkeys.recordUse(passkey.id, { expectedCounter: passkey.counter, counter: info.newCounter, backedUp: info.credentialBackedUp, atMs: deps.clock.nowMs() }))) {
      await tx.audit.append(failed('concurrent_use', passkey));
      return 'concurrent_use';
    }
    await tx.audit.append(auditEvent(deps, 'passkey.used', context, { userId: user.id, email: user.email, detail: `${passkey.id}${info.userVerified ? ' user verified' : ''}` }));
    return 'used';
  });
  // Built only while someone watches: the checks list is a dozen strings per login.
  if (deps.trace?.recording === true) deps.trace.step({
    kind: 'decision',
    title: outcome === 'used' ? 'Passkey verified' : `Passkey refused: ${outcome}`,
    outcome: outcome === 'used' ? 'ok' : 'refused',
    detail: {
      passkeyId: passkey.id,
      checks: ['challenge: ours, unused, under 5 minutes, bound to this browser', `origin one of ${deps.passkeys.origins.join(', ')}`, `RP ID hash of ${deps.passkeys.rpId}`, `user verification ${info.userVerified ? 'done' : 'not done'}`, 'signature with the stored public key'],
      signatureCounter: `${String(passkey.counter)} -> ${String(info.newCounter)} (compare-and-set)`,
      backedUp: info.credentialBackedUp,
    },
    teach: 'webauthn',
  });
  if (outcome === 'challenge_gone') throw new AuthError('passkey_challenge_invalid');
  if (outcome === 'concurrent_use') throw new AuthError('passkey_refused');
  return { user, passkey: { ...passkey, counter: info.newCounter, backedUp: info.credentialBackedUp }, userVerified: info.userVerified };
}
