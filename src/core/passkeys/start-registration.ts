import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { webAuthnLibrary } from './webauthn-library.ts';
import type { CoreDeps } from '../deps.ts';
import type { PasskeyCeremonyPurpose, PasskeyCredential } from '../ports.ts';
import { startCeremony, type CeremonyBinding } from './ceremony.ts';
import { passkeyChallengeTtlMs } from './passkey-policy.ts';
import { userHandleOf } from './passkey-user-id.ts';

export interface StartedRegistration {
  ceremonyToken: string;
  options: PublicKeyCredentialCreationOptionsJSON;
}

/**
 * Options for creating a passkey for `account` (by @simplewebauthn/server): a discoverable
 * credential (resident key required, so it can log in without an address), user verification
 * required, attestation as configured (`none` by default), the account's existing passkeys
 * excluded so one authenticator is not registered twice.
 */
export async function registrationOptions(
  deps: CoreDeps,
  account: { id: string; email: string; existing: readonly PasskeyCredential[] },
  purpose: Extract<PasskeyCeremonyPurpose, 'register' | 'signup'>,
  binding: CeremonyBinding,
): Promise<StartedRegistration> {
  const { ceremonyToken, challenge } = startCeremony(deps, purpose, account.id, binding);
  const policy = deps.passkeys;
  const options = await (await webAuthnLibrary()).generateRegistrationOptions({
    rpName: policy.rpName,
    rpID: policy.rpId,
    userName: account.email,
    userDisplayName: account.email,
    userID: userHandleOf(account.id),
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: passkeyChallengeTtlMs,
    attestationType: policy.attestation,
    excludeCredentials: account.existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  });
  return { ceremonyToken, options };
}
