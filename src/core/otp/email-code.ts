import { createHmac, timingSafeEqual } from 'node:crypto';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { mayMail } from '../mail/mail-limiter.ts';
import { emailCodeMail } from '../mail/templates.ts';
import type { EmailCodePurpose, User } from '../ports.ts';
import { clearCodeAttempts, reserveCodeAttempt } from './code-attempts.ts';
import { hmacKey } from '../hmac-key.ts';

/** A uniform random code of `digits` digits (rejection sampling: no modulo bias). */
function randomDigits(deps: Pick<CoreDeps, 'random'>, digits: number): string {
  const range = 10 ** digits;
  const limit = Math.floor(2 ** 32 / range) * range;
  for (;;) {
    const value = Buffer.from(deps.random.bytes(4)).readUInt32BE(0);
    if (value < limit) return String(value % range).padStart(digits, '0');
  }
}

/**
 * The stored form of a code: an HMAC under a server key over the account, the purpose and the
 * code. A 6-digit code has too little entropy for a bare hash (a leaked table would be reversed
 * in a second); the key keeps it useless without the server secret, and the binding means a
 * code never works for another account or purpose (docs/security.md SEC-43).
 */
function codeHash(deps: Pick<CoreDeps, 'accountSecurity'>, userId: string, purpose: EmailCodePurpose, code: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', hmacKey(deps.accountSecurity.limiterKey)).update(`email-code v1\0${userId}\0${purpose}\0${code}`).digest());
}

/**
 * Mails a one-time code for `purpose` to the user, voiding any earlier one (the attempt count is
 * kept: docs/security.md SEC-44). 10 minutes, single use. Limited to one mail a minute per address.
 */
export async function sendEmailCode(deps: CoreDeps, user: User, purpose: EmailCodePurpose, context: RequestContext): Promise<void> {
  if (!(await mayMail(deps, user.email, 'code'))) return;
  const { policy, branding } = deps.accountSecurity;
  const code = randomDigits(deps, policy.emailCodeDigits);
  const nowMs = deps.clock.nowMs();
  await deps.store.transaction(async (tx) => {
    await tx.emailCodes.put({ userId: user.id, purpose, codeHash: codeHash(deps, user.id, purpose, code), createdAtMs: nowMs, expiresAtMs: nowMs + policy.emailCodeTtlMs });
    await tx.audit.append(auditEvent(deps, 'email_code.sent', context, { userId: user.id, email: user.email, detail: purpose }));
  });
  deps.accountSecurity.outbox.enqueue(emailCodeMail(branding, user.email, code, purpose, policy.emailCodeTtlMs / 60_000));
}

/**
 * Checks and uses up the user's emailed code for `purpose`. Refused alike when it is wrong,
 * expired (10 minutes), used, replaced by a newer one, or issued for another purpose or account
 * (docs/security.md SEC-43). Attempts are counted per account before the check and capped (docs/security.md SEC-44).
 */
export async function verifyEmailCode(deps: CoreDeps, user: User, purpose: EmailCodePurpose, code: string, context: RequestContext): Promise<void> {
  // Sign-in codes count per address, exactly as for addresses without an account (see
  // email-code-login.ts); re-authentication codes per account.
  const [counter, subject] = purpose === 'login' ? (['email_login', user.email] as const) : (['email_code', user.id] as const);
  await reserveCodeAttempt(deps, counter, subject);
  const record = await deps.store.emailCodes.find(user.id);
  const presented = codeHash(deps, user.id, purpose, code.trim());
  const ok =
    record !== null &&
    record.purpose === purpose &&
    record.expiresAtMs > deps.clock.nowMs() &&
    timingSafeEqual(presented, record.codeHash) &&
    (await deps.store.emailCodes.consume(user.id, record.codeHash));
  if (!ok) {
    await deps.store.audit.append(auditEvent(deps, 'email_code.failed', context, { userId: user.id, email: user.email, detail: purpose }));
    throw new AuthError('invalid_code');
  }
  await clearCodeAttempts(deps, counter, subject);
}
