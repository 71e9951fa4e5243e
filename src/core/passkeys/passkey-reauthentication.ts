import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser } from '../ports.ts';
import type { AuthenticationFactor } from '../sessions/authentication-methods.ts';
import { accountPasskeyOptions } from './account-passkey-options.ts';
import { openCeremony } from './ceremony.ts';
import type { StartedPasskeyLogin } from './passkey-login.ts';
import { throttledPasskeyAttempt } from './passkey-throttle.ts';
import { verifyPasskeyAssertion } from './verify-assertion.ts';

/** A passkey answer offered as re-authentication, with the ceremony cookie it answers. */
export interface PasskeyProof {
  ceremonyToken: string | undefined;
  response: AuthenticationResponseJSON;
}

/**
 * Options for confirming it is still the account's owner with one of the account's passkeys
 * (before a sensitive change, docs/security.md SEC-192): its passkeys listed, user verification
 * required, the ceremony bound to this session. `passkey_not_found` when it has none.
 */
export async function startPasskeyReauthentication(deps: CoreDeps, current: SessionWithUser): Promise<StartedPasskeyLogin> {
  return accountPasskeyOptions(deps, current.user.id, 'reauth', { session: current.session.id }, 'required');
}

/**
 * Verifies a passkey re-authentication: a ceremony started by this session for this account, a
 * passkey of this account, user verification required (possession alone, a stolen unlocked key,
 * is not "it is you"), the counter moved on and the use audited, the challenge used up. Failures
 * count against the IP like failed logins (SEC-191). Returns the factor for the session's amr.
 */
export async function verifyPasskeyReauthentication(deps: CoreDeps, current: SessionWithUser, proof: PasskeyProof, context: RequestContext): Promise<AuthenticationFactor> {
  const { passkey } = await throttledPasskeyAttempt(deps, context, () =>
    verifyPasskeyAssertion(deps, openCeremony(deps, proof.ceremonyToken, 'reauth', current.user.id, { session: current.session.id }), proof.response, { expectedUserId: current.user.id, requireUserVerification: true }, context),
  );
  return passkey.deviceType === 'singleDevice' ? 'passkey_device_bound' : 'passkey_synced';
}
