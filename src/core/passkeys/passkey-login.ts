import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { webAuthnLibrary } from './webauthn-library.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser, User } from '../ports.ts';
import type { StartedSession } from '../sessions/start-session.ts';
import { refuseUnverifiedEmail, startLoggedInSession } from '../credentials/log-in.ts';
import { openCeremony, startCeremony } from './ceremony.ts';
import { passkeyAmr } from './passkey-amr.ts';
import { passkeyChallengeTtlMs } from './passkey-policy.ts';
import { throttledPasskeyAttempt } from './passkey-throttle.ts';
import { verifyPasskeyAssertion, type VerifiedAssertion } from './verify-assertion.ts';

export interface StartedPasskeyLogin {
  ceremonyToken: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

/**
 * Options for a passwordless login: no account named and no credential listed (discoverable
 * credentials: the authenticator offers the passkeys it holds for this RP ID), user
 * verification required. The same options serve the button and autofill (conditional UI).
 */
export async function startPasskeyLogin(deps: CoreDeps): Promise<StartedPasskeyLogin> {
  const { ceremonyToken, challenge } = startCeremony(deps, 'login', null, null);
  const options = await (await webAuthnLibrary()).generateAuthenticationOptions({
    rpID: deps.passkeys.rpId,
    challenge: Buffer.from(challenge, 'base64url'),
    timeout: passkeyChallengeTtlMs,
    userVerification: 'required',
    allowCredentials: [],
  });
  return { ceremonyToken, options };
}

/**
 * The verification of a passwordless login's answer, without starting a session: the ceremony
 * token checked (this server's, for a login, 5 minutes), the passkey found by its credential id,
 * the assertion verified with user verification required (SEC-175), then the challenge used up,
 * the counter moved on and the use audited in one transaction (one commit per login; a refusal
 * uses the challenge up too). Per IP, failures are throttled with failed password logins. An
 * account whose address is not verified is refused as at a password login (`email_not_verified`).
 */
export async function verifyPasskeyLogin(
  deps: CoreDeps,
  input: { ceremonyToken: string | undefined; response: AuthenticationResponseJSON },
  context: RequestContext,
): Promise<VerifiedAssertion> {
  // Failed passkey logins count against the IP with failed passwords (docs/security.md SEC-191).
  return throttledPasskeyAttempt(deps, context, async () => {
    const verified = await verifyPasskeyAssertion(deps, openCeremony(deps, input.ceremonyToken, 'login', null, null), input.response, { expectedUserId: null, requireUserVerification: true }, context);
    // The password login's rule, after the passkey checked out: with `requireVerifiedEmail` on, an
    // account whose address is not verified logs in no more with a passkey than with its password (SEC-228).
    await refuseUnverifiedEmail(deps, verified.user, context);
    return verified;
  });
}

/**
 * Finishes a passwordless login. The passkey with user verification is possession and a PIN
 * or biometric in one, so it is multi-factor already: no second step, whatever the account
 * has (docs/security.md SEC-180). An answer without user verification is refused (SEC-175).
 */
export async function finishPasskeyLogin(
  deps: CoreDeps,
  input: { ceremonyToken: string | undefined; response: AuthenticationResponseJSON; previousSession?: SessionWithUser },
  context: RequestContext,
): Promise<StartedSession & { user: User; amr: string[] }> {
  const { user, passkey, userVerified } = await verifyPasskeyLogin(deps, input, context);
  const amr = passkeyAmr(passkey, userVerified);
  const started = await startLoggedInSession(deps, user, { amr, method: `passkey ${amr.join(' ')}`, ...(input.previousSession === undefined ? {} : { previousSession: input.previousSession }) }, context);
  return { ...started, amr };
}
