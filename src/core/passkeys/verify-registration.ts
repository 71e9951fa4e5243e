import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { webAuthnLibrary } from './webauthn-library.ts';
import type { CoreDeps } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { PasskeyChallenge, PasskeyCredential } from '../ports.ts';
import { randomId } from '../sessions/session-token.ts';
import { passkeyName } from './passkey-policy.ts';

/**
 * Verifies a registration answer against the taken challenge (by @simplewebauthn/server: the
 * challenge, an allowed origin, the RP ID hash, user presence and verification, the attestation
 * statement) and returns the passkey to store. Nothing is stored here. A refusal is
 * `passkey_registration_failed`, with the library's reason kept for the audit trail only.
 */
export async function verifyRegistration(
  deps: CoreDeps,
  challenge: PasskeyChallenge,
  userId: string,
  input: { name?: string; response: RegistrationResponseJSON },
): Promise<PasskeyCredential> {
  let verification;
  try {
    verification = await (await webAuthnLibrary()).verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: [...deps.passkeys.origins],
      expectedRPID: deps.passkeys.rpId,
      requireUserVerification: true,
    });
  } catch (error) {
    throw new AuthError('passkey_registration_failed', { cause: error });
  }
  if (!verification.verified) throw new AuthError('passkey_registration_failed');
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
