import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { Reauthentication } from '../accounts/reauthenticate.ts';
import type { SessionWithUser } from '../ports.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import { requireRecentAuthentication } from '../sessions/recent-authentication.ts';

/**
 * Unlinks one of the user's identities, unless it is their last way to log in: an account
 * without a password or a passkey keeps at least one identity. Checked and deleted in one transaction, so
 * two unlinks at once cannot remove both of the last two. The owner is mailed a security notice (SEC-164).
 *
 * Needs a recent re-authentication (`reauth` sent along counts), as linking one does: a stolen
 * session cookie alone cannot cut the owner's provider login off (docs/security.md SEC-227).
 */
export async function unlinkIdentity(
  deps: CoreDeps,
  current: SessionWithUser,
  identityId: string,
  reauth: Reauthentication | undefined,
  context: RequestContext,
  providerName?: (providerId: string) => string,
): Promise<void> {
  const { user } = await requireRecentAuthentication(deps, current, reauth, context);
  const provider = await deps.store.transaction(async (tx) => {
    // The account's row locked first: two unlinks (or an unlink and a passkey removal) at once run one after the other (SEC-165).
    const current = await tx.users.lockForUpdate(user.id);
    const identities = await tx.oauthIdentities.listByUser(user.id);
    const target = identities.find((i) => i.id === identityId);
    if (current === null || target === undefined) throw new AuthError('identity_not_found');
    if (current.passwordHash === null && identities.length === 1 && (await tx.passkeys.listByUser(user.id)).length === 0) throw new AuthError('oauth_last_login_method');
    await tx.oauthIdentities.delete(user.id, identityId);
    await tx.audit.append(auditEvent(deps, 'oauth.identity_unlinked', context, { userId: user.id, email: user.email, detail: `${target.provider} ${target.id}` }));
    return target.provider;
  });
  notifySecurityEvent(deps, 'provider_unlinked', user, context, { provider: providerName?.(provider) ?? provider });
}
