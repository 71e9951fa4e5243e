import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { mayMail } from '../mail/mail-limiter.ts';
import { signupExistingAccountMail, verifyEmailMail } from '../mail/templates.ts';
import { prepareAccount, type NewAccount } from './create-account.ts';
import { issueLinkToken } from './link-token.ts';

/** What sign-up answers: the same for a new address and for one that has an account. */
export interface SignUpAnswer {
  email: string;
}

/**
 * Self-service sign-up. The answer never says whether the address already had an account
 * (docs/security.md SEC-47): a new address gets an account and a verification link by mail; an address
 * that has an account gets a mail telling its owner so, and nothing changes. Neither logs in:
 * the person proves the address (or logs in) next. Both paths cost one argon2id hash (the
 * password is hashed before the lookup), a few writes, and hand one mail to the queue, which
 * sends it after the answer.
 *
 * Attempts are throttled per client IP; mails per address (see mayMail).
 */
export async function signUp(deps: CoreDeps, input: NewAccount, context: RequestContext): Promise<SignUpAnswer> {
  // Every attempt counts (successful ones too): this limits account creation, not guessing.
  await deps.throttle.reserve([['signupIp', context.ip]], deps.clock.nowMs());
  const user = await prepareAccount(deps, input);
  const { policy, branding } = deps.accountSecurity;
  const token = await deps.store.transaction(async (tx) => {
    // Looked up first (not only caught from the insert), so no database aborts the transaction.
    const existing = await tx.users.findByEmail(user.email);
    if (existing !== null || (await tx.users.create(user)) === 'email_taken') {
      await tx.audit.append(auditEvent(deps, 'signup.existing_email', context, { userId: existing?.id ?? null, email: user.email }));
      return null;
    }
    await tx.audit.append(auditEvent(deps, 'user.signed_up', context, { userId: user.id, email: user.email }));
    const issued = await issueLinkToken(deps, tx, user, 'verify_email', policy.verificationTtlMs);
    await tx.audit.append(auditEvent(deps, 'email.verification_sent', context, { userId: user.id, email: user.email, detail: 'at sign-up' }));
    return issued;
  });
  if (await mayMail(deps, user.email, 'verification')) {
    deps.accountSecurity.outbox.enqueue(
      token === null ? signupExistingAccountMail(branding, user.email) : verifyEmailMail(branding, user.email, token, policy.verificationTtlMs / 60_000),
    );
  }
  return { email: user.email };
}
