import type { CoreDeps, RequestContext } from '../deps.ts';
import type { User } from '../ports.ts';
import { startSession, type StartedSession } from '../sessions/start-session.ts';
import { insertAccount, prepareAccount, type NewAccount } from './create-account.ts';

/**
 * Self-service sign-up: creates the account and logs it in, in one transaction.
 * Attempts are throttled per client IP. The password is hashed before the email is
 * looked up, so a taken email costs the same time as a new one.
 */
export async function signUp(
  deps: CoreDeps,
  input: NewAccount,
  context: RequestContext,
): Promise<StartedSession & { user: User }> {
  // Every attempt counts (successful ones too): this limits account creation, not guessing.
  await deps.throttle.reserve([['signupIp', context.ip]], deps.clock.nowMs());
  const user = await prepareAccount(deps, input);
  return deps.store.transaction(async (tx) => {
    await insertAccount(deps, tx, user, context);
    return { user, ...(await startSession(deps, tx, user.id, context)) };
  });
}
