import { normalizeEmail } from '../accounts/normalize-email.ts';
import { exceedsPasswordByteCap, normalizePassword } from '../accounts/password-policy.ts';
import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import { startSession, type StartedSession } from '../sessions/start-session.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser, Store, User } from '../ports.ts';
import { endSessions } from '../sessions/end-sessions.ts';

export interface LogInInput {
  email: string;
  password: string;
  /** A validated session the browser already held, if any: it is ended so no pre-login id survives. */
  previousSession?: SessionWithUser;
  /** More writes that must commit with the new session, or not at all (the password grant issues its tokens here). */
  inSameTransaction?: (tx: Store, started: StartedSession & { user: User }) => Promise<void>;
}

/**
 * Password login. An unknown email and a wrong password take the same path: one argon2id
 * verification (against a dummy hash when there is no account), one attempt counted for the
 * account key and the IP key, and the same `invalid_credentials` error. Throttling is keyed on
 * the email as typed, so it holds for accounts that do not exist too. The attempt is counted
 * before the hash, so concurrent guesses cannot all slip past the check; a success refunds it.
 */
export async function logIn(deps: CoreDeps, input: LogInInput, context: RequestContext): Promise<StartedSession & { user: User }> {
  // An address that cannot exist, or a password over the cap, cannot match any account:
  // refuse before the (costly) hash, exactly as a wrong password is refused.
  // Control characters are replaced so a CR/LF never reaches the audit trail or a log line.
  const email = normalizeEmail(input.email) ?? input.email.trim().toLowerCase().slice(0, 254).replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  const ticket = await deps.throttle.reserve([['ip', context.ip], ['account', email]], deps.clock.nowMs());

  const user = normalizeEmail(input.email) === null ? null : await deps.store.users.findByEmail(email);
  const password = normalizePassword(input.password);
  const verification = exceedsPasswordByteCap(input.password, deps.passwordPolicy)
    ? { matches: false, needsRehash: false }
    : await deps.hasher.verify(user?.passwordHash ?? deps.dummyPasswordHash, password);

  if (user === null || !verification.matches) {
    await deps.store.audit.append(
      auditEvent(deps, 'login.failed', context, { userId: user?.id ?? null, email, detail: user === null ? 'unknown_email' : 'wrong_password' }),
    );
    throw new AuthError('invalid_credentials');
  }
  if (user.disabledAtMs !== null) {
    await deps.store.audit.append(auditEvent(deps, 'login.failed', context, { userId: user.id, email, detail: 'account_disabled' }));
    throw new AuthError('account_disabled');
  }
  // Said only after the right password, so it tells nothing to someone guessing addresses.
  if (deps.accountSecurity.policy.requireVerifiedEmail && (await deps.store.emailVerifications.find(user.id)) === null) {
    await deps.store.audit.append(auditEvent(deps, 'login.failed', context, { userId: user.id, email, detail: 'email_not_verified' }));
    throw new AuthError('email_not_verified', { detail: 'Open the link we mailed you, or ask for a new one.' });
  }

  await deps.throttle.clear('account', email);
  await ticket.refund('ip');
  const upgradedHash = verification.needsRehash ? await deps.hasher.hash(password) : null;
  return deps.store.transaction(async (tx) => {
    const nowMs = deps.clock.nowMs();
    if (upgradedHash !== null) await tx.users.updatePasswordHash(user.id, upgradedHash, nowMs);
    if (input.previousSession !== undefined) await endSessions(deps, tx, [input.previousSession.session.id], 'replaced_at_login');
    const started = await startSession(deps, tx, user.id, context);
    await tx.audit.append(auditEvent(deps, 'login.succeeded', context, { userId: user.id, email, detail: `session ${started.session.id}` }));
    const result = { user: upgradedHash === null ? user : { ...user, passwordHash: upgradedHash, updatedAtMs: nowMs }, ...started };
    if (input.inSameTransaction !== undefined) await input.inSameTransaction(tx, result);
    return result;
  });
}
