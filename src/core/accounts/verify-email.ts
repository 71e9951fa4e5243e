import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { findLinkToken } from './link-token.ts';

/**
 * Consumes a verification link and records the address as verified. Unknown, expired, used,
 * tampered and other-purpose links all get `invalid_link` (docs/security.md SEC-6). The link proves the
 * address it was sent to: if the account's address changed since, it proves nothing.
 */
export async function verifyEmail(deps: CoreDeps, token: string, context: RequestContext): Promise<{ email: string }> {
  const record = await findLinkToken(deps, token, 'verify_email');
  if (record === null) throw new AuthError('invalid_link');
  return deps.store.transaction(async (tx) => {
    const nowMs = deps.clock.nowMs();
    if (!(await tx.oneTimeTokens.consume(record.id, nowMs))) throw new AuthError('invalid_link');
    const user = await tx.users.findById(record.userId);
    if (user === null || user.email !== record.email) throw new AuthError('invalid_link');
    await tx.emailVerifications.markVerified(user.id, user.email, nowMs);
    await tx.oneTimeTokens.deleteByUser(user.id, 'verify_email');
    await tx.audit.append(auditEvent(deps, 'email.verified', context, { userId: user.id, email: user.email }));
    return { email: user.email };
  });
}
