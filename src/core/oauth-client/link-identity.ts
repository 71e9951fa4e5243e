import { normalizeEmail } from '../accounts/normalize-email.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { OAuthIdentity, User } from '../ports.ts';
import { randomId } from '../sessions/session-token.ts';
import type { ProviderProfile } from './provider-profile.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';

export interface LinkInput {
  providerId: string;
  /** For the notice mailed to the account's owner. */
  providerName: string;
  profile: ProviderProfile;
  tokensJwe: string | null;
}

/**
 * Links a provider identity to a signed-in user (from /account). The user proved who they are
 * to Gatehouse and to the provider, so the emails need not match. An identity already linked
 * to another account is refused: one (issuer, subject) logs in to one account only.
 */
export async function linkIdentity(deps: CoreDeps, user: User, input: LinkInput, context: RequestContext): Promise<OAuthIdentity> {
  const nowMs = deps.clock.nowMs();
  const identity: OAuthIdentity = {
    id: randomId(deps.random),
    userId: user.id,
    provider: input.providerId,
    issuer: input.profile.issuer,
    subject: input.profile.subject,
    email: input.profile.email === null ? null : normalizeEmail(input.profile.email),
    createdAtMs: nowMs,
    lastLoginAtMs: nowMs,
    tokensJwe: input.tokensJwe,
  };
  const linked = await deps.store.transaction(async (tx) => {
    const known = await tx.oauthIdentities.findBySubject(identity.issuer, identity.subject);
    if (known !== null) {
      if (known.userId !== user.id) throw new AuthError('oauth_identity_taken');
      return known;
    }
    if ((await tx.oauthIdentities.create(identity)) === 'subject_taken') throw new AuthError('oauth_identity_taken');
    await tx.audit.append(auditEvent(deps, 'oauth.identity_linked', context, { userId: user.id, email: user.email, detail: `${input.providerId} ${identity.id}` }));
    return identity;
  });
  if (linked === identity) notifySecurityEvent(deps, 'provider_linked', user, context, { provider: input.providerName });
  return linked;
}
