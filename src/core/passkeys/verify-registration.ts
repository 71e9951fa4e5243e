import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { webAuthnLibrary } from './webauthn-library.ts';
import type { CoreDeps } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { PasskeyCredential } from '../ports.ts';
import { randomId } from '../sessions/session-token.ts';
import { useUpCeremony, type OpenedCeremony } from './ceremony.ts';
import { passkeyName } from './passkey-policy.ts';

/**
 * Verifies a registration answer against an opened ceremony's challenge (by @simplewebauthn/server:
 * the challenge, an allowed origin, the RP ID hash, user presence and verification, the
 * attestation statement) and returns the passkey to store, which the caller stores in the
 * transaction that uses the challenge up (ceremony.ts answerOnce). A refusal uses the challenge up
 * here (single use whatever the outcome) and is `passkey_registration_failed`, with the library's
 * reason kept as the error's cause only; `passkey_challenge_invalid` when it was already used.
 */
export async function verifyRegistration(
  deps: CoreDeps,
  ceremony: OpenedCeremony,
  userId: string,
  input: { name?: string; response: RegistrationResponseJSON },
): Promise<PasskeyCredential> {
  let verification;
  const refuse = async (cause?: unknown): Promise<never> => {
    if (!(await useUpCeremony(deps.store, ceremony))) throw new AuthError('passkey_challenge_invalid');
    throw new AuthError('passkey_registration_failed', { cause });
  };
  try {
    verification = await (await webAuthnLibrary()).verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: [...deps.passkeys.origins],
      expectedRPID: deps.passkeys.rpId,
      requireUserVerification: true,
    });
  } catch (error) {
    return refuse(error);
  }
  if (!verification.verified) return refuse();
  const info = verification.registrationInfo;
  const nowMs = deps.clock.nowMs();
  return {
    id: randomId(deps.random),
    userId,
    credentialId: info.credential.id,
    publicKey: new Uint8Array(info.credential.publicKey),
    counter: info.credential.counter,
    transports: [...(info.credential.transports ?? [])],
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name: passkeyName(input.name),
    createdAtMs: nowMs,
    lastUsedAtMs: null,
  };
}

