import { requestPasswordReset } from '../accounts/request-password-reset.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';

/**
 * Operator action (the console): mails the user a password reset link, exactly as "forgot
 * password" would for their current address (same limits, same audit entry, with the operator's
 * id as the context's `actorId`). Returns false when there is no such user.
 */
export async function sendPasswordReset(deps: CoreDeps, userId: string, context: RequestContext): Promise<boolean> {
  const user = await deps.store.users.findById(userId);
  if (user === null) return false;
  await requestPasswordReset(deps, user.email, context);
  return true;
}
