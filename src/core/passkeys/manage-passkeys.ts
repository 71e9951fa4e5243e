import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { Reauthentication } from '../accounts/reauthenticate.ts';
import type { PasskeyCredential, SessionWithUser, User } from '../ports.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import { requireRecentAuthentication } from '../sessions/recent-authentication.ts';
import { passkeyName } from './passkey-policy.ts';

/** The account's passkeys, oldest first, for the account page and GET /v1/me/passkeys. */
export async function listPasskeys(deps: Pick<CoreDeps, 'store'>, user: User): Promise<PasskeyCredential[]> {
  return deps.store.passkeys.listByUser(user.id);
}

/** Renames one of the user's passkeys; another account's id is `passkey_not_found`. */
export async function renamePasskey(deps: CoreDeps, user: User, id: string, name: string, context: RequestContext): Promise<void> {
  if (!(await deps.store.passkeys.rename(user.id, id, passkeyName(name)))) throw new AuthError('passkey_not_found');
  await deps.store.audit.append(auditEvent(deps, 'passkey.renamed', context, { userId: user.id, email: user.email, detail: id }));
}

/**
 * Removes one of the user's passkeys, unless it is the account's last way to log in: no
 * password, no linked social login and no other passkey (docs/security.md SEC-181). Checked and
 * deleted in one transaction, so two removals at once cannot remove both of the last two. The
 * owner is mailed a security notice (SEC-164).
 *
 * Needs a recent re-authentication (`reauth` sent along counts), as turning TOTP off does: a
 * stolen session cookie alone cannot take away the owner's passkeys, e.g. to leave only a way in
 * the thief controls (docs/security.md SEC-227).
 */
export async function removePasskey(deps: CoreDeps, current: SessionWithUser, id: string, reauth: Reauthentication | undefined, context: RequestContext): Promise<void> {
  const { user } = await requireRecentAuthentication(deps, current, reauth, context);
  const removed = await deps.store.transaction(async (tx) => {
    // The account's row locked first: two removals at once run one after the other (SEC-165).
    const account = await tx.users.lockForUpdate(user.id);
    const passkeys = await tx.passkeys.listByUser(user.id);
    const target = passkeys.find((p) => p.id === id);
    if (account === null || target === undefined) throw new AuthError('passkey_not_found');
    const otherWays = (account.passwordHash === null ? 0 : 1) + (await tx.oauthIdentities.listByUser(user.id)).length + passkeys.length - 1;
    if (otherWays === 0) throw new AuthError('passkey_last_login_method');
    await tx.passkeys.delete(user.id, id);
    await tx.audit.append(auditEvent(deps, 'passkey.removed', context, { userId: user.id, email: user.email, detail: id }));
    return target;
  });
  notifySecurityEvent(deps, 'passkey_removed', user, context, { passkey: removed.name });
}
