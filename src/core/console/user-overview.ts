import type { CoreDeps } from '../deps.ts';
import { listIdentities } from '../oauth-client/list-identities.ts';
import { twoFactorStatus, type TwoFactorStatus } from '../otp/two-factor-status.ts';
import type { AuditEvent, OAuthIdentity, PasskeyCredential, Session, User } from '../ports.ts';
import { listSessions } from '../sessions/list-sessions.ts';

/** Everything the console's user page shows about one account. */
export interface UserOverview {
  user: User;
  operatorSinceMs: number | null;
  /** The verified address and when, or null while unverified. */
  verified: { email: string; verifiedAtMs: number } | null;
  sessions: Session[];
  identities: OAuthIdentity[];
  twoFactor: TwoFactorStatus;
  passkeys: PasskeyCredential[];
  /** The newest entries of the user's audit trail. */
  audit: AuditEvent[];
}

/** Reads one account for the console; null when there is no such user. */
export async function userOverview(deps: Pick<CoreDeps, 'store' | 'clock' | 'sessionPolicy'>, userId: string, auditLimit = 50): Promise<UserOverview | null> {
  const user = await deps.store.users.findById(userId);
  if (user === null) return null;
  return {
    user,
    operatorSinceMs: await deps.store.operators.operatorSince(userId),
    verified: await deps.store.emailVerifications.find(userId),
    sessions: (await listSessions(deps, userId)).sort((a, b) => b.lastSeenAtMs - a.lastSeenAtMs),
    identities: await listIdentities(deps, userId),
    twoFactor: await twoFactorStatus(deps, userId),
    passkeys: await deps.store.passkeys.listByUser(userId),
    audit: await deps.store.auditSearch.page({ userId }, { limit: auditLimit }),
  };
}
