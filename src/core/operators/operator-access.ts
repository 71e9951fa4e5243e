import type { CoreDeps } from '../deps.ts';
import { sessionUsedSecondFactor } from '../forward-auth/check-access.ts';
import type { SessionWithUser } from '../ports.ts';

/**
 * What a signed-in user may do with the console:
 * - `granted`: an operator whose account has a second factor, in a console session still active;
 * - `not_operator`: not an operator (the console does not exist for them);
 * - `no_second_factor`: an operator whose account has neither a confirmed TOTP nor a passkey;
 * - `step_up`: an operator whose account has one, in a session that did not use it (`amr`
 *   without `mfa`): a password alone opens no console, also where the account's second factor is
 *   a passkey, which a password login does not ask for (docs/security.md SEC-167);
 * - `idle`: the console has not been used for `sessionPolicy.consoleIdleTimeoutMs`, counted from
 *   the last console request or the last (re-)authentication, whichever is later.
 */
export type OperatorAccess = 'granted' | 'not_operator' | 'no_second_factor' | 'step_up' | 'idle';

/** An account's second factor, as the console requires it: a confirmed TOTP or a registered passkey. */
export async function hasStrongSecondFactor(deps: Pick<CoreDeps, 'store'>, userId: string): Promise<boolean> {
  const totp = await deps.store.totp.find(userId);
  if (totp !== null && totp.confirmedAtMs !== null) return true;
  return (await deps.store.passkeys.listByUser(userId)).length > 0;
}

/**
 * The one check in front of the console and every operator-only page (docs/security.md
 * SEC-270..274, SEC-167): a signed-in operator with a second factor, in a session that used it
 * and whose console use is not idle.
 * The operator flag and the factors are read on every request, so revoking either takes effect
 * at once. A granted request counts as console activity, unless `countAsUse` is false (an open
 * inspector stream checking again that it may go on: watching is not using the console).
 */
export async function operatorAccess(deps: Pick<CoreDeps, 'store' | 'clock' | 'sessionPolicy'>, current: SessionWithUser, countAsUse = true): Promise<OperatorAccess> {
  const { user, session } = current;
  if ((await deps.store.operators.operatorSince(user.id)) === null) return 'not_operator';
  if (!(await hasStrongSecondFactor(deps, user.id))) return 'no_second_factor';
  // The account having a second factor is not enough: this session must have used one (SEC-167).
  if (!sessionUsedSecondFactor(session)) return 'step_up';
  const nowMs = deps.clock.nowMs();
  const lastUseMs = await deps.store.consoleActivity.lastUse(session.id);
  const activeSinceMs = Math.max(lastUseMs ?? 0, session.authTimeMs);
  if (nowMs - activeSinceMs > deps.sessionPolicy.consoleIdleTimeoutMs) return 'idle';
  if (countAsUse) await deps.store.consoleActivity.recordUse(session.id, nowMs);
  return 'granted';
}
