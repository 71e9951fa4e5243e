import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { User } from '../ports.ts';
import type { StartedSession } from '../sessions/start-session.ts';
import { hasSecondFactor, startLoggedInSession, verifyPasswordStep, type LogInInput } from './log-in.ts';
import { issuePendingLogin } from './pending-login.ts';
import { amrOf } from '../sessions/authentication-methods.ts';

export type LoginStep =
  | ({ kind: 'session'; user: User } & StartedSession)
  /** The password was right and the account has a second factor: nothing is granted yet. */
  | { kind: 'second_factor'; user: User; pendingToken: string };

/**
 * The first step of an interactive login (the login page, POST /v1/session): a session when the
 * password is all the account needs, otherwise a pending login that only the second step can
 * turn into a session.
 */
export async function beginLogin(deps: CoreDeps, input: Omit<LogInInput, 'inSameTransaction'>, context: RequestContext): Promise<LoginStep> {
  const user = await verifyPasswordStep(deps, input, context);
  if (await hasSecondFactor(deps, user.id)) {
    await deps.store.audit.append(auditEvent(deps, 'login.second_factor_required', context, { userId: user.id, email: user.email }));
    return { kind: 'second_factor', user, pendingToken: await issuePendingLogin(deps, user, { factors: ['password'] }) };
  }
  return { kind: 'session', ...(await startLoggedInSession(deps, user, { ...input, method: 'password', amr: amrOf(['password']) }, context)) };
}
