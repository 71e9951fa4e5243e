import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { Reauthentication } from '../accounts/reauthenticate.ts';
import type { SessionWithUser } from '../ports.ts';
import { requireRecentAuthenticationToAddFactor } from '../sessions/recent-authentication.ts';
import { openTotpSecret, sealTotpSecret } from './secret-box.ts';
import { generateTotpSecret, otpauthUri } from './totp.ts';

export interface TotpEnrolment {
  /** Base32, for typing into an authenticator app. */
  secret: string;
  /** otpauth://totp/... for the QR code. */
  uri: string;
}

/**
 * Starts (or restarts) TOTP enrolment: a new secret, stored sealed and pending. It protects
 * nothing until confirmTotpEnrolment sees a first valid code from it. An account whose TOTP is
 * already on must turn it off first (with re-authentication).
 *
 * It needs a recent re-authentication, and the pending enrolment belongs to the session that
 * started it (docs/security.md SEC-105): otherwise a stolen session could plant the thief's key,
 * and the owner's own two-factor page would show it to them to scan.
 */
export async function startTotpEnrolment(deps: CoreDeps, current: SessionWithUser, reauth: Reauthentication | undefined, context: RequestContext): Promise<TotpEnrolment> {
  const { user } = await requireRecentAuthenticationToAddFactor(deps, current, reauth, context);
  const secret = generateTotpSecret(deps.random);
  const secretJwe = await sealTotpSecret(secret, user.id, deps.accountSecurity.totpKeys);
  const stored = await deps.store.totp.putPending({
    userId: user.id,
    secretJwe,
    createdAtMs: deps.clock.nowMs(),
    confirmedAtMs: null,
    lastUsedStep: null,
    enrolmentSessionId: current.session.id,
  });
  if (!stored) throw new AuthError('totp_already_enabled');
  await deps.store.audit.append(auditEvent(deps, 'totp.enrolment_started', context, { userId: user.id, detail: `session ${current.session.id}` }));
  return { secret, uri: otpauthUri(secret, deps.accountSecurity.branding.productName, user.email) };
}

/**
 * The pending enrolment's secret and URI again (to re-show the QR code after a wrong code), only
 * to the session that started it: any other session sees no enrolment.
 */
export async function pendingTotpEnrolment(deps: CoreDeps, current: SessionWithUser): Promise<TotpEnrolment | null> {
  const { user } = current;
  const credential = await deps.store.totp.find(user.id);
  if (credential === null || credential.confirmedAtMs !== null || credential.enrolmentSessionId !== current.session.id) return null;
  const secret = await openTotpSecret(credential.secretJwe, user.id, deps.accountSecurity.totpKeys);
  return { secret, uri: otpauthUri(secret, deps.accountSecurity.branding.productName, user.email) };
}
