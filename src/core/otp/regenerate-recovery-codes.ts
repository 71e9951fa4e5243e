import type { Reauthentication } from '../accounts/reauthenticate.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import type { SessionWithUser } from '../ports.ts';
import { requireRecentAuthenticationToAddFactor } from '../sessions/recent-authentication.ts';
import { hasSecondFactor } from '../credentials/log-in.ts';
import { replaceRecoveryCodes } from './recovery-codes.ts';

/** New recovery codes (the old ones stop working); needs a recent re-authentication (docs/security.md SEC-100). Returned once. */
export async function regenerateRecoveryCodes(deps: CoreDeps, current: SessionWithUser, reauth: Reauthentication | undefined, context: RequestContext): Promise<string[]> {
  if (!(await hasSecondFactor(deps, current.user.id))) throw new AuthError('totp_not_enabled');
  // New recovery codes are new ways past the second step (SEC-168).
  const { user } = await requireRecentAuthenticationToAddFactor(deps, current, reauth, context);
  const codes = await deps.store.transaction(async (tx) => {
    const fresh = await replaceRecoveryCodes(deps, tx, user);
    await tx.audit.append(auditEvent(deps, 'recovery_codes.generated', context, { userId: user.id, detail: `${fresh.length} codes, the old ones void` }));
    return fresh;
  });
  notifySecurityEvent(deps, 'recovery_codes_regenerated', user, context);
  return codes;
}
