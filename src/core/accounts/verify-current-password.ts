import { AuthError } from '../errors.ts';
import type { CoreDeps } from '../deps.ts';
import type { User } from '../ports.ts';
import { exceedsPasswordByteCap, normalizePassword } from './password-policy.ts';

/**
 * Re-authentication before a sensitive change (ASVS 7.5.1). Failures count against the
 * account's login throttle, so a stolen session cannot be used to guess the password.
 */
export async function verifyCurrentPassword(deps: CoreDeps, user: User, password: string): Promise<void> {
  await deps.throttle.reserve([['account', user.email]], deps.clock.nowMs());
  // An account without a password (social login only) costs the same hash and fails the same way.
  const ok =
    !exceedsPasswordByteCap(password, deps.passwordPolicy) &&
    (await deps.hasher.verify(user.passwordHash ?? deps.dummyPasswordHash, normalizePassword(password))).matches &&
    user.passwordHash !== null;
  if (!ok) throw new AuthError('wrong_password');
  await deps.throttle.clear('account', user.email);
}
