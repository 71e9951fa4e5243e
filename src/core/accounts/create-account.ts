import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import { randomId } from '../sessions/session-token.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { Store, User } from '../ports.ts';
import { normalizeEmail } from './normalize-email.ts';
import { assertAcceptablePassword, normalizePassword } from './password-policy.ts';

export interface NewAccount {
  email: string;
  password: string;
}

/** Validates and hashes outside any transaction; the hash is the slow part. */
export async function prepareAccount(deps: CoreDeps, input: NewAccount): Promise<User> {
  const email = normalizeEmail(input.email);
  if (email === null) throw new AuthError('invalid_email');
  assertAcceptablePassword(input.password, email, deps.passwordPolicy);
  const passwordHash = await deps.hasher.hash(normalizePassword(input.password));
  const nowMs = deps.clock.nowMs();
  return { id: randomId(deps.random), email, passwordHash, createdAtMs: nowMs, updatedAtMs: nowMs, disabledAtMs: null };
}

/** Inserts a prepared account inside `tx`, with its audit entry. */
export async function insertAccount(deps: CoreDeps, tx: Store, user: User, context: RequestContext): Promise<void> {
  if ((await tx.users.create(user)) === 'email_taken') throw new AuthError('email_taken');
  await tx.audit.append(auditEvent(deps, 'user.signed_up', context, { userId: user.id, email: user.email }));
}

/**
 * Creates an account without a session: for the CLI and for operators. The operator vouches
 * for the address, so it counts as verified.
 *
 * @example
 * const user = await createAccount(deps, { email: 'a@example.com', password: 'a long passphrase here' }, cliContext);
 */
export async function createAccount(deps: CoreDeps, input: NewAccount, context: RequestContext): Promise<User> {
  const user = await prepareAccount(deps, input);
  await deps.store.transaction(async (tx) => {
    await insertAccount(deps, tx, user, context);
    await tx.emailVerifications.markVerified(user.id, user.email, deps.clock.nowMs());
  });
  return user;
}
