import { normalizeEmail } from '../accounts/normalize-email.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { OAuthIdentity, SessionWithUser, Store, User } from '../ports.ts';
import { endSessions } from '../sessions/end-sessions.ts';
import { randomId } from '../sessions/session-token.ts';
import { amrOf } from '../sessions/authentication-methods.ts';
import { startSession, type StartedSession } from '../sessions/start-session.ts';
import type { OAuthDeps } from './oauth-deps.ts';
import type { ProviderProfile } from './provider-profile.ts';
import { hasSecondFactor } from '../credentials/log-in.ts';
import { issuePendingLogin } from '../credentials/pending-login.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';

export interface SignInInput {
  providerId: string;
  /** For the notice mailed when an identity is linked by email. */
  providerName: string;
  profile: ProviderProfile;
  /** The provider's ID token said `mfa` and the operator trusts this provider's MFA (`trust_provider_mfa`). */
  providerMfa: boolean;
  /** The provider's tokens, already encrypted, when configured to keep them. */
  tokensJwe: string | null;
  previousSession?: SessionWithUser;
}

export type SignedIn =
  | (StartedSession & { user: User; identity: OAuthIdentity; outcome: 'returning' | 'signed_up' | 'linked_by_email' })
  /** The account has a second factor: only a pending login, as after a password (docs/security.md SEC-101). */
  | { user: User; outcome: 'second_factor'; pendingToken: string };

function newIdentity(deps: Pick<CoreDeps, 'clock' | 'random'>, userId: string, input: SignInInput, email: string | null): OAuthIdentity {
  const nowMs = deps.clock.nowMs();
  return {
    id: randomId(deps.random),
    userId,
    provider: input.providerId,
    issuer: input.profile.issuer,
    subject: input.profile.subject,
    email,
    createdAtMs: nowMs,
    lastLoginAtMs: nowMs,
    tokensJwe: input.tokensJwe,
  };
}

async function refuse(deps: CoreDeps, context: RequestContext, input: SignInInput, user: User | null, email: string | null, reason: string, error: AuthError): Promise<never> {
  await deps.store.audit.append(auditEvent(deps, 'oauth.login_failed', context, { userId: user?.id ?? null, email, detail: `${input.providerId}: ${reason}` }));
  throw error;
}

/** The session start shared by every outcome: the pre-login session ends, a new id begins (ASVS 7.2.4). */
async function startIn(deps: CoreDeps, tx: Store, user: User, input: SignInInput, context: RequestContext): Promise<StartedSession> {
  if (input.previousSession !== undefined) await endSessions(deps, tx, [input.previousSession.session.id], 'replaced_at_login');
  const started = await startSession(deps, tx, user.id, context, { amr: amrOf([input.providerMfa ? 'provider_mfa' : 'provider']) });
  await tx.audit.append(auditEvent(deps, 'login.succeeded', context, { userId: user.id, email: user.email, detail: `oauth ${input.providerId} session ${started.session.id}` }));
  return started;
}

/**
 * Logs in with a verified provider identity. The identity is found by (issuer, subject), never
 * by email (docs/security.md SEC-40). A new identity whose email belongs to an existing account is linked
 * to it only when the provider asserts the email verified and linking by email is enabled;
 * otherwise the user must log in and link it from /account. A new account needs a verified
 * email, so nobody can claim an address they do not own; it has no password.
 */
export async function signInWithIdentity(deps: CoreDeps, oauth: OAuthDeps, input: SignInInput, context: RequestContext): Promise<SignedIn> {
  const { profile } = input;
  const email = profile.email === null ? null : normalizeEmail(profile.email);
  const known = await deps.store.oauthIdentities.findBySubject(profile.issuer, profile.subject);

  if (known !== null) {
    const user = await deps.store.users.findById(known.userId);
    if (user === null) return refuse(deps, context, input, null, email, 'identity_without_user', new AuthError('oauth_response_invalid'));
    if (user.disabledAtMs !== null) return refuse(deps, context, input, user, user.email, 'account_disabled', new AuthError('account_disabled'));
    // The provider login is the first step, like a password: an account with a second factor
    // gets only a pending login, unless the operator trusts this provider's MFA and it was used.
    if (!input.providerMfa && (await hasSecondFactor(deps, user.id))) {
      await deps.store.audit.append(auditEvent(deps, 'login.second_factor_required', context, { userId: user.id, email: user.email, detail: `after ${input.providerId}` }));
      return { user, outcome: 'second_factor' as const, pendingToken: await issuePendingLogin(deps, user, { factors: ['provider'] }) };
    }
    return deps.store.transaction(async (tx) => {
      await tx.oauthIdentities.recordLogin(known.id, deps.clock.nowMs(), email, input.tokensJwe ?? known.tokensJwe);
      const started = await startIn(deps, tx, user, input, context);
      return { ...started, user, identity: { ...known, lastLoginAtMs: deps.clock.nowMs(), email, tokensJwe: input.tokensJwe ?? known.tokensJwe }, outcome: 'returning' as const };
    });
  }

  if (email === null || !profile.emailVerified) {
    return refuse(deps, context, input, null, email, email === null ? 'no_email' : 'email_unverified', new AuthError('oauth_email_unverified'));
  }
  const existing = await deps.store.users.findByEmail(email);
  if (existing !== null) {
    if (oauth.linkByEmail !== 'verified-email') {
      return refuse(deps, context, input, existing, email, 'email_belongs_to_account', new AuthError('oauth_account_exists'));
    }
    if (existing.disabledAtMs !== null) return refuse(deps, context, input, existing, email, 'account_disabled', new AuthError('account_disabled'));
    // Linking is a sensitive change: an account with a second factor is linked only from
    // /account, after its owner logged in with both factors (docs/security.md SEC-101).
    if (await hasSecondFactor(deps, existing.id)) {
      return refuse(deps, context, input, existing, email, 'email_belongs_to_account_with_second_factor', new AuthError('oauth_account_exists'));
    }
    const identity = newIdentity(deps, existing.id, input, email);
    const linked = await deps.store.transaction(async (tx) => {
      if ((await tx.oauthIdentities.create(identity)) === 'subject_taken') throw new AuthError('oauth_identity_taken');
      await tx.audit.append(auditEvent(deps, 'oauth.identity_linked', context, { userId: existing.id, email, detail: `${input.providerId}: by verified email` }));
      const started = await startIn(deps, tx, existing, input, context);
      return { ...started, user: existing, identity, outcome: 'linked_by_email' as const };
    });
    notifySecurityEvent(deps, 'provider_linked', existing, context, { provider: input.providerName });
    return linked;
  }

  const nowMs = deps.clock.nowMs();
  const user: User = { id: randomId(deps.random), email, passwordHash: null, createdAtMs: nowMs, updatedAtMs: nowMs, disabledAtMs: null };
  const identity = newIdentity(deps, user.id, input, email);
  return deps.store.transaction(async (tx) => {
    // Two first logins racing for one address: the loser is told to log in and link.
    if ((await tx.users.create(user)) === 'email_taken') throw new AuthError('oauth_account_exists');
    if ((await tx.oauthIdentities.create(identity)) === 'subject_taken') throw new AuthError('oauth_identity_taken');
    await tx.audit.append(auditEvent(deps, 'user.signed_up', context, { userId: user.id, email, detail: `oauth ${input.providerId}` }));
    // The provider asserted the address verified (no account is made otherwise): it counts as
    // verified here too, so a passkey the account adds later logs in under `requireVerifiedEmail` (SEC-228).
    await tx.emailVerifications.markVerified(user.id, email, nowMs);
    const started = await startIn(deps, tx, user, input, context);
    return { ...started, user, identity, outcome: 'signed_up' as const };
  });
}
