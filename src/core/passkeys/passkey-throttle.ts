import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';

/**
 * Runs a passkey verification under the per-IP failure throttle shared with password logins (the
 * `ip` rule and counter, docs/security.md SEC-191): a locked IP is refused before any work, and a
 * refusal (any AuthError) counts one failure once it has failed. A success writes no throttle
 * row; the price is that answers in flight together all pass the check before any is counted.
 * A passkey answer cannot be guessed, so this bounds volume (each refusal costs a signature
 * check and two rows), not guessing.
 */
export async function throttledPasskeyAttempt<T>(deps: Pick<CoreDeps, 'throttle' | 'clock'>, context: RequestContext, work: () => Promise<T>): Promise<T> {
  await deps.throttle.check('ip', context.ip, deps.clock.nowMs());
  try {
    return await work();
  } catch (error) {
    if (error instanceof AuthError) await deps.throttle.recordFailure('ip', context.ip, deps.clock.nowMs());
    throw error;
  }
}
