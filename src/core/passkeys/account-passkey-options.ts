import type { CoreDeps } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { PasskeyCeremonyPurpose } from '../ports.ts';
import { startCeremony, type CeremonyBinding } from './ceremony.ts';
import type { StartedPasskeyLogin } from './passkey-login.ts';
import { passkeyChallengeTtlMs } from './passkey-policy.ts';
import { webAuthnLibrary } from './webauthn-library.ts';

/**
 * Authentication options for one known account (a second step, a re-authentication): its
 * passkeys listed as the allowed credentials, the ceremony bound to what asked (docs/security.md
 * SEC-190). `passkey_not_found` when the account has none.
 *
 * @example
 * const started = await accountPasskeyOptions(deps, user.id, 'reauth', { session: session.id }, 'required');
 */
export async function accountPasskeyOptions(
  deps: CoreDeps,
  userId: string,
  purpose: PasskeyCeremonyPurpose,
  binding: CeremonyBinding,
  userVerification: 'required' | 'preferred',
): Promise<StartedPasskeyLogin> {
  const passkeys = await deps.store.passkeys.listByUser(userId);
  if (passkeys.length === 0) throw new AuthError('passkey_not_found');
  const { ceremonyToken, challenge } = startCeremony(deps, purpose, userId, binding);
  const options = await (await webAuthnLibrary()).generateAuthenticationOptions({
    rpID: deps.passkeys.rpId,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: passkeyChallengeTtlMs,
    userVerification,
    allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
  });
  return { ceremonyToken, options };
}
