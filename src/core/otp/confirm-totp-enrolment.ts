import type { Reauthentication } from '../accounts/reauthenticate.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import type { SessionWithUser } from '../ports.ts';
import { endSessions } from '../sessions/end-sessions.ts';
import { amrAfterReauthentication } from '../sessions/authentication-methods.ts';
import { requireRecentAuthenticationToAddFactor } from '../sessions/recent-authentication.ts';
import { startSession, type StartedSession } from '../sessions/start-session.ts';
import { clearCodeAttempts, reserveCodeAttempt } from './code-attempts.ts';
import { replaceRecoveryCodes } from './recovery-codes.ts';
import { openTotpSecret } from './secret-box.ts';
import { matchTotpStep } from './totp.ts';

/**
 * Confirms a pending enrolment with its first valid code: TOTP is on from here, that code's step
 * counts as used, and 10 recovery codes are made (returned once). It needs a recent
 * re-authentication (docs/security.md SEC-15, SEC-100; `reauth` sent along counts), and only the
 * session that started the enrolment may confirm it (SEC-105): otherwise a stolen session could
 * put the thief's authenticator on the account and lock its owner out, past even a password
 * reset. Turning on a second factor is a privilege change, so this device's session is replaced
 * by a new one (SEC-10), which carries the login's authentication plus this code.
 */
export async function confirmTotpEnrolment(
  deps: CoreDeps,
  current: SessionWithUser,
  code: string,
  reauth: Reauthentication | undefined,
  context: RequestContext,
): Promise<{ recoveryCodes: string[] } & StartedSession> {
  const { user, session } = await requireRecentAuthenticationToAddFactor(deps, current, reauth, context);
  const credential = await deps.store.totp.find(user.id);
  if (credential !== null && credential.confirmedAtMs !== null) throw new AuthError('totp_already_enabled');
  if (credential === null || credential.enrolmentSessionId !== session.id) throw new AuthError('totp_not_enabled', { detail: 'Start the enrolment first.' });
  await reserveCodeAttempt(deps, 'second_factor', user.id);
  const step = matchTotpStep(await openTotpSecret(credential.secretJwe, user.id, deps.accountSecurity.totpKeys), code.trim(), deps.clock.nowMs());
  if (step === null) throw new AuthError('invalid_code');
  const result = await deps.store.transaction(async (tx) => {
    if (!(await tx.totp.confirm(user.id, deps.clock.nowMs(), step))) throw new AuthError('totp_already_enabled');
    const recoveryCodes = await replaceRecoveryCodes(deps, tx, user);
    await endSessions(deps, tx, [current.session.id], 'replaced_at_login');
    // The new session keeps when the user last authenticated, and adds the code just shown.
    const started = await startSession(deps, tx, user.id, context, { authTimeMs: session.authTimeMs, amr: amrAfterReauthentication(session.amr, 'totp') });
    await tx.audit.append(auditEvent(deps, 'totp.enabled', context, { userId: user.id, detail: `session ${started.session.id}` }));
    await tx.audit.append(auditEvent(deps, 'recovery_codes.generated', context, { userId: user.id, detail: `${recoveryCodes.length} codes` }));
    return { recoveryCodes, ...started };
  });
  await clearCodeAttempts(deps, 'second_factor', user.id);
  notifySecurityEvent(deps, 'two_factor_enabled', user, context);
  return result;
}
