import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { verifyEmailCode } from '../otp/email-code.ts';
import type { User } from '../ports.ts';
import { verifyCurrentPassword } from './verify-current-password.ts';

/** Proof that the person at the keyboard is the account's owner, before a sensitive change. */
export type Reauthentication = { password: string } | { emailCode: string };

/**
 * Re-authentication (docs/security.md SEC-15): the current password, or a code mailed for purpose
 * `reauth` (for accounts that log in without one). A code issued for login is refused here.
 */
export async function reauthenticate(deps: CoreDeps, user: User, proof: Reauthentication, context: RequestContext): Promise<void> {
  if ('password' in proof && proof.password !== '') {
    await verifyCurrentPassword(deps, user, proof.password);
  } else if ('emailCode' in proof && proof.emailCode !== '') {
    await verifyEmailCode(deps, user, 'reauth', proof.emailCode, context);
  } else {
    throw new AuthError('reauthentication_required');
  }
  await deps.store.audit.append(auditEvent(deps, 'reauth.succeeded', context, { userId: user.id, detail: 'password' in proof ? 'password' : 'email_code' }));
}
