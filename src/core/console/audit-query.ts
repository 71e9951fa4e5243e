import { normalizeEmail } from '../accounts/normalize-email.ts';
import type { CoreDeps } from '../deps.ts';
import type { AuditFilter } from './ports.ts';

/** What an operator filters the audit trail by: as AuditFilter, but the user is given by email or by id. */
export interface AuditQuery extends Omit<AuditFilter, 'userId'> {
  /** An email (it contains '@') or a user id; an email with no account matches nothing. */
  user?: string;
}

/** The store's filter for `query`: an email becomes that account's id (or, with no account, a filter that matches nothing). */
export async function auditFilterFor(deps: Pick<CoreDeps, 'store'>, query: AuditQuery): Promise<AuditFilter> {
  const { user, ...rest } = query;
  if (user === undefined || user === '') return rest;
  if (!user.includes('@')) return { ...rest, userId: user };
  const found = await deps.store.users.findByEmail(normalizeEmail(user) ?? user);
  return { ...rest, userId: found?.id ?? user };
}
