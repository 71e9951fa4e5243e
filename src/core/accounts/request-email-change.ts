import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { mayMail } from '../mail/mail-limiter.ts';
import { emailChangeConfirmMail, emailChangeTakenMail } from '../mail/templates.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import type { SessionWithUser } from '../ports.ts';
import type { Reauthentication } from './reauthenticate.ts';
import { requireRecentAuthenticationToAddFactor } from '../sessions/recent-authentication.ts';
import { issueLinkToken } from './link-token.ts';
import { normalizeEmail } from './normalize-email.ts';

/** What the requester is told: the same whether or not the new address already has an account. */
export interface EmailChangeAnswer {
  /** The new address, normalized, to which a link was (or would have been) mailed. */
  email: string;
}

/**
 * Asks to change the signed-in user's address. Nothing changes here: a link goes to the NEW
 * address (`change_email` link token, only its hash stored, single use, the verification
 * lifetime), and a notice to the OLD one. The change happens only when the link is confirmed
 * (confirmEmailChange). Needs a recent re-authentication (docs/security.md SEC-100, SEC-142).
 *
 * An address that already has an account (docs/security.md SEC-143): the answer, the page and
 * the notice to the old address are the same as for a free one, so a signed-in account cannot
 * use this form to learn which addresses have accounts. The owner of that address gets a mail
 * saying someone offered it, and no link is issued. Mails per address are limited as for
 * verification (mayMail), so this cannot flood someone else's inbox either.
 *
 * @example
 * await requestEmailChange(deps, current, { newEmail: 'ada@new.example', proof: { password } }, context);
 */
export async function requestEmailChange(
  deps: CoreDeps,
  current: SessionWithUser,
  input: { newEmail: string; proof: Reauthentication | undefined },
  context: RequestContext,
): Promise<EmailChangeAnswer> {
  const email = normalizeEmail(input.newEmail);
  if (email === null) throw new AuthError('invalid_email');
  if (email === current.user.email) throw new AuthError('email_unchanged');
  // The new address becomes a way in (a reset link, an emailed code): like adding a factor (SEC-168).
  const { user } = await requireRecentAuthenticationToAddFactor(deps, current, input.proof, context);
  const { policy, branding, outbox } = deps.accountSecurity;
  const token = await deps.store.transaction(async (tx) => {
    if ((await tx.users.findByEmail(email)) !== null) {
      await tx.audit.append(auditEvent(deps, 'email_change.refused', context, { userId: user.id, email, detail: 'address has an account' }));
      return null;
    }
    // The record's address is the NEW one: the link proves that address, and confirming it moves the account there.
    const issued = await issueLinkToken(deps, tx, { ...user, email }, 'change_email', policy.verificationTtlMs);
    await tx.audit.append(auditEvent(deps, 'email_change.requested', context, { userId: user.id, email }));
    return issued;
  });
  if (await mayMail(deps, email, 'verification')) {
    outbox.enqueue(token === null ? emailChangeTakenMail(branding, email) : emailChangeConfirmMail(branding, email, token, policy.verificationTtlMs / 60_000));
  }
  // The notice to the account's own address is never held back: it is how the owner learns of a change asked for from a stolen session.
  notifySecurityEvent(deps, 'email_change_requested', user, context, { newEmail: email });
  return { email };
}
