import type { CoreDeps, RequestContext } from '../deps.ts';
import type { User } from '../ports.ts';
import { securityNoticeMail, type SecurityEventKind } from './templates.ts';

export type { SecurityEventKind } from './templates.ts';

/**
 * Mails the account's owner that something changed how they sign in (docs/security.md SEC-102):
 * what, when, from which device and IP, and what to do if it was not them. Sent for a provider
 * linked or unlinked, a passkey added or removed (SEC-164), two-factor on or off, new recovery
 * codes, a password changed or reset, and an email address changed. Handed to the outbox, so the answer never waits for it.
 *
 * For `email_changed`, pass the account as it was (the old address) so the notice reaches the
 * owner, not only whoever now controls the new address; `detail.newEmail` names the new one.
 *
 * @example
 * notifySecurityEvent(deps, 'provider_linked', user, context, { provider: 'Google' });
 */
export function notifySecurityEvent(
  deps: Pick<CoreDeps, 'clock' | 'accountSecurity'>,
  kind: SecurityEventKind,
  account: Pick<User, 'email'>,
  context: RequestContext,
  detail: { provider?: string; passkey?: string; newEmail?: string } = {},
): void {
  deps.accountSecurity.outbox.enqueue(securityNoticeMail(deps.accountSecurity.branding, account.email, { kind, atMs: deps.clock.nowMs(), context, ...detail }));
}
