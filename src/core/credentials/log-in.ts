import { normalizeEmail } from '../accounts/normalize-email.ts';
import { exceedsPasswordByteCap, normalizePassword } from '../accounts/password-policy.ts';
import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import { startSession, type StartedSession } from '../sessions/start-session.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser, Store, User } from '../ports.ts';
import { endSessions } from '../sessions/end-sessions.ts';
import { amrOf } from '../sessions/authentication-methods.ts';

export interface LogInInput {
  email: string;
  password: string;
  /** A validated session the browser already held, if any: it is ended so no pre-login id survives. */
  previousSession?: SessionWithUser;
  /** More writes that must commit with the new session, or not at all (the password grant issues its tokens here). */
  inSameTransaction?: (tx: Store, started: StartedSession & { user: User }) => Promise<void>;
}

/**
 * The password step of a login. An unknown email and a wrong password take the same path: one
 * argon2id verification (against a dummy hash when there is no account), one attempt counted for
 * the account key and the IP key, and the same `invalid_credentials` error. Throttling is keyed
 * on the email as typed, so it holds for accounts that do not exist too. The attempt is counted
 * before the hash, so concurrent guesses cannot all slip past the check; a success refunds it.
 * Returns the user (with an upgraded hash stored when the parameters changed); grants nothing.
 */
export async function verifyPasswordStep(deps: CoreDeps, input: Pick<LogInInput, 'email' | 'password'>, context: RequestContext): Promise<User> {
  // An address that cannot exist, or a password over the cap, cannot match any account:
  // refuse before the (costly) hash, exactly as a wrong password is refused.
  // Control characters are replaced so a CR/LF never reaches the audit trail or a log line.
  const email = normalizeEmail(input.email) ?? input.email.trim().toLowerCase().slice(0, 254).replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  const ticket = await deps.throttle.reserve([['ip', context.ip], ['account', email]], deps.clock.nowMs());

  const user = normalizeEmail(input.email) === null ? null : await deps.store.users.findByEmail(email);
  const password = normalizePassword(input.password);
  const hashStartedAtMs = deps.clock.nowMs();
  const verification = exceedsPasswordByteCap(input.password, deps.passwordPolicy)
    ? { matches: false, needsRehash: false }
    : await deps.hasher.verify(user?.passwordHash ?? deps.dummyPasswordHash, password);
  deps.trace?.step({
    kind: 'decision',
    title: verification.matches ? 'Password matches' : 'Password refused',
    outcome: verification.matches ? 'ok' : 'refused',
    detail: {
      account: user === null ? 'unknown email: checked against a dummy hash, so both paths cost the same' : user.id,
      algorithm: 'argon2id',
      // The PHC string's parameter part (m, t, p): public, and the same for every account.
      parameters: (user?.passwordHash ?? deps.dummyPasswordHash).split('$')[3] ?? '',
      timeTakenMs: deps.clock.nowMs() - hashStartedAtMs,
      upgradeNeeded: verification.needsRehash,
    },
    teach: 'password-hash',
  });

  // An account without a password (made by a social login) was checked against the dummy hash
  // above, like an unknown email: same work, same answer.
  if (user === null || user.passwordHash === null || !verification.matches) {
    await deps.store.audit.append(
      auditEvent(deps, 'login.failed', context, { userId: user?.id ?? null, email, detail: user === null ? 'unknown_email' : user.passwordHash === null ? 'no_password' : 'wrong_password' }),
    );
    throw new AuthError('invalid_credentials');
  }
  if (user.disabledAtMs !== null) {
    await deps.store.audit.append(auditEvent(deps, 'login.failed', context, { userId: user.id, email, detail: 'account_disabled' }));
    throw new AuthError('account_disabled');
  }
  // Said only after the right password, so it tells nothing to someone guessing addresses.
  await refuseUnverifiedEmail(deps, user, context);

  await deps.throttle.clear('account', email);
  await ticket.refund('ip');
  if (!verification.needsRehash) return user;
  const upgradedHash = await deps.hasher.hash(password);
  deps.trace?.step({ kind: 'decision', title: 'Password hash upgraded to the current parameters', outcome: 'info', detail: { userId: user.id, parameters: upgradedHash.split('$')[3] ?? '' }, teach: 'password-hash' });
  const nowMs = deps.clock.nowMs();
  await deps.store.users.updatePasswordHash(user.id, upgradedHash, nowMs);
  return { ...user, passwordHash: upgradedHash, updatedAtMs: nowMs };
}

/**
 * With `requireVerifiedEmail` on, refuses a login to an account whose address is not verified yet
 * (`email_not_verified`, audited as a failed login). The password login (above) and the
 * passwordless passkey login (passkey-login.ts, docs/security.md SEC-228) both call it once the
 * account's own credential checked out, so the answer tells nothing to someone guessing addresses.
 * (An emailed sign-in code proves the mailbox and marks it verified; a provider's new account
 * starts verified, its provider having asserted the address.)
 */
export async function refuseUnverifiedEmail(deps: CoreDeps, user: User, context: RequestContext): Promise<void> {
  if (!deps.accountSecurity.policy.requireVerifiedEmail || (await deps.store.emailVerifications.find(user.id)) !== null) return;
  await deps.store.audit.append(auditEvent(deps, 'login.failed', context, { userId: user.id, email: user.email, detail: 'email_not_verified' }));
  throw new AuthError('email_not_verified', { detail: 'Open the link we mailed you, or ask for a new one.' });
}

/** True when the account has a confirmed second factor (TOTP): the password alone logs nobody in. */
export async function hasSecondFactor(deps: Pick<CoreDeps, 'store'>, userId: string): Promise<boolean> {
  return ((await deps.store.totp.find(userId))?.confirmedAtMs ?? null) !== null;
}

/**
 * Starts the session of a login whose every step passed: the previous session (if any) ends,
 * a new one starts, authenticated now by `amr` (RFC 8176 values: amrOf() for password and code
 * factors), and `method` says how in the audit trail.
 */
export async function startLoggedInSession(
  deps: CoreDeps,
  user: User,
  options: Pick<LogInInput, 'previousSession' | 'inSameTransaction'> & { method: string; amr: readonly string[] },
  context: RequestContext,
): Promise<StartedSession & { user: User }> {
  return deps.store.transaction(async (tx) => {
    if (options.previousSession !== undefined) await endSessions(deps, tx, [options.previousSession.session.id], 'replaced_at_login');
    const started = await startSession(deps, tx, user.id, context, { amr: options.amr });
    await tx.audit.append(auditEvent(deps, 'login.succeeded', context, { userId: user.id, email: user.email, detail: `session ${started.session.id} (${options.method})` }));
    const result = { user, ...started };
    if (options.inSameTransaction !== undefined) await options.inSameTransaction(tx, result);
    return result;
  });
}

/**
 * Password login in one step, for callers that cannot carry a second step (the password grant):
 * an account with a second factor is refused with `second_factor_required` after the right
 * password, and gets no session and no token (docs/security.md SEC-45). Pages and POST /v1/session use
 * beginLogin, which leaves a pending login instead.
 */
export async function logIn(deps: CoreDeps, input: LogInInput, context: RequestContext): Promise<StartedSession & { user: User }> {
  const user = await verifyPasswordStep(deps, input, context);
  if (await hasSecondFactor(deps, user.id)) {
    await deps.store.audit.append(auditEvent(deps, 'login.second_factor_required', context, { userId: user.id, email: user.email, detail: 'refused: no second step here' }));
    throw new AuthError('second_factor_required', { detail: 'This account uses two-factor authentication: log in through the login page or POST /v1/session.' });
  }
  return startLoggedInSession(deps, user, { ...input, method: 'password', amr: amrOf(['password']) }, context);
}
