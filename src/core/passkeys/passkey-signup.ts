import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { normalizeEmail } from '../accounts/normalize-email.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { mayMail } from '../mail/mail-limiter.ts';
import { passkeySignupMail, signupExistingAccountMail } from '../mail/templates.ts';
import type { User } from '../ports.ts';
import { hashSecret, randomId } from '../sessions/session-token.ts';
import type { StartedSession } from '../sessions/start-session.ts';
import { startSession } from '../sessions/start-session.ts';
import { answerOnce, openCeremony } from './ceremony.ts';
import { passkeyAmr } from './passkey-amr.ts';
import { registrationOptions, type StartedRegistration } from './start-registration.ts';
import { verifyRegistration } from './verify-registration.ts';

const tokenType = 'gatehouse-passkey-signup';

/** The address and the new account's id a sign-up link carries, and when it expires. */
export interface PasskeySignup {
  email: string;
  userId: string;
  expiresAtMs: number;
}

/**
 * Passkey-only sign-up, step 1: mails a link that proves the address. No account exists until
 * the passkey is made (docs/security.md SEC-185), so nothing is half-made and nobody can log in
 * to an address they do not read. The answer is the same for an address that has an account:
 * its owner gets the "you already have an account" mail instead (SEC-47). Throttled like sign-up.
 *
 * The link's token is a JWE under the pending-login keys (typ `gatehouse-passkey-signup`), valid
 * as long as a verification link; it names the address and the account id to create.
 */
export async function requestPasskeySignup(deps: CoreDeps, emailInput: string, context: RequestContext): Promise<{ email: string }> {
  await deps.throttle.reserve([['signupIp', context.ip]], deps.clock.nowMs());
  const email = normalizeEmail(emailInput);
  if (email === null) throw new AuthError('invalid_email');
  const { policy, branding, pendingLoginKeys } = deps.accountSecurity;
  const existing = await deps.store.users.findByEmail(email);
  if (existing !== null) await deps.store.audit.append(auditEvent(deps, 'signup.existing_email', context, { userId: existing.id, email, detail: 'passkey sign-up' }));
  if (!(await mayMail(deps, email, 'verification'))) return { email };
  if (existing !== null) {
    deps.accountSecurity.outbox.enqueue(signupExistingAccountMail(branding, email));
    return { email };
  }
  const key = pendingLoginKeys[0];
  if (key === undefined) throw new Error('no pending-login key');
  const nowSeconds = Math.floor(deps.clock.nowMs() / 1000);
  const token = await new EncryptJWT({ email })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: tokenType })
    .setSubject(randomId(deps.random))
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + Math.floor(policy.verificationTtlMs / 1000))
    .encrypt(key);
  await deps.store.audit.append(auditEvent(deps, 'email.verification_sent', context, { email, detail: 'passkey sign-up' }));
  deps.accountSecurity.outbox.enqueue(passkeySignupMail(branding, email, token, policy.verificationTtlMs / 60_000));
  return { email };
}

/** The sign-up a link names, while it is intact, unexpired, its address still free and its account never made; else null. */
export async function readPasskeySignup(deps: Pick<CoreDeps, 'clock' | 'accountSecurity' | 'store'>, token: string): Promise<PasskeySignup | null> {
  for (const key of deps.accountSecurity.pendingLoginKeys) {
    try {
      const { payload, protectedHeader } = await jwtDecrypt(token, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(deps.clock.nowMs()),
        requiredClaims: ['sub', 'exp', 'email'],
        clockTolerance: 0,
      });
      if (protectedHeader.typ !== tokenType || typeof payload.sub !== 'string' || typeof payload.email !== 'string' || typeof payload.exp !== 'number') return null;
      if ((await deps.store.users.findByEmail(payload.email)) !== null || (await deps.store.users.findById(payload.sub)) !== null) return null;
      return { email: payload.email, userId: payload.sub, expiresAtMs: payload.exp * 1000 };
    } catch {
      // Not under this key (or expired, or tampered): try the next secret.
    }
  }
  return null;
}

/** Step 2: options for the new account's first passkey, bound to this sign-up link (SEC-172). */
export async function startPasskeySignup(deps: CoreDeps, token: string): Promise<StartedRegistration & { email: string }> {
  const signup = await readPasskeySignup(deps, token);
  if (signup === null) throw new AuthError('invalid_link');
  const started = await registrationOptions(deps, { id: signup.userId, email: signup.email, existing: [] }, 'signup', { signup: token });
  return { ...started, email: signup.email };
}

/**
 * Step 3: the verified passkey makes the account (no password, the address verified by the
 * link), stores the passkey and starts a session, all in one transaction. The passkey was made
 * with user verification, so the session counts as multi-factor.
 */
export async function finishPasskeySignup(
  deps: CoreDeps,
  input: { token: string; ceremonyToken: string | undefined; name?: string; response: RegistrationResponseJSON },
  context: RequestContext,
): Promise<StartedSession & { user: User; amr: string[] }> {
  const signup = await readPasskeySignup(deps, input.token);
  if (signup === null) throw new AuthError('invalid_link');
  const ceremony = openCeremony(deps, input.ceremonyToken, 'signup', signup.userId, { signup: input.token });
  const passkey = await verifyRegistration(deps, ceremony, signup.userId, input);
  const nowMs = deps.clock.nowMs();
  // Made with user verification (required at registration): possession and a PIN or biometric.
  const amr = passkeyAmr(passkey, true);
  const user: User = { id: signup.userId, email: signup.email, passwordHash: null, createdAtMs: nowMs, updatedAtMs: nowMs, disabledAtMs: null };
  const started = await answerOnce(deps, ceremony, async (tx) => {
    // The link is used up with the account it makes, until it would have expired anyway: used
    // again after that account was deleted or moved to another address, it makes nothing
    // (docs/security.md SEC-6, SEC-218). Its account id is in no other link.
    if (!(await tx.usedPasskeyChallenges.claim(hashSecret(`passkey sign-up link ${signup.userId}`), signup.expiresAtMs))) throw new AuthError('invalid_link');
    if ((await tx.users.findByEmail(user.email)) !== null || (await tx.users.create(user)) === 'email_taken') throw new AuthError('email_taken');
    await tx.emailVerifications.markVerified(user.id, user.email, nowMs);
    if ((await tx.passkeys.create(passkey)) === 'credential_taken') throw new AuthError('passkey_already_registered');
    await tx.audit.append(auditEvent(deps, 'user.signed_up', context, { userId: user.id, email: user.email, detail: 'with a passkey' }));
    await tx.audit.append(auditEvent(deps, 'email.verified', context, { userId: user.id, email: user.email, detail: 'passkey sign-up link' }));
    await tx.audit.append(auditEvent(deps, 'passkey.registered', context, { userId: user.id, email: user.email, detail: `${passkey.id} ${passkey.deviceType}` }));
    const session = await startSession(deps, tx, user.id, context, { amr });
    await tx.audit.append(auditEvent(deps, 'login.succeeded', context, { userId: user.id, email: user.email, detail: `session ${session.session.id} (passkey sign-up)` }));
    return session;
  });
  return { ...started, user, amr };
}
