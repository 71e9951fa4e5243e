import type { Kysely } from 'kysely';
import type { SessionWithUser, Store } from '../../core/ports.ts';
import { sqlAudit } from './repositories/audit.ts';
import { sqlClients } from './repositories/clients.ts';
import { sqlRefreshTokens } from './repositories/refresh-tokens.ts';
import { sqlRevocations } from './repositories/revocations.ts';
import { sqlSigningKeys } from './repositories/signing-keys.ts';
import { sqlSessions } from './repositories/sessions.ts';
import { sqlThrottle } from './repositories/throttle.ts';
import { sqlUsers } from './repositories/users.ts';
import { sqlEmailCodes } from './repositories/email-codes.ts';
import { sqlEmailVerifications } from './repositories/email-verifications.ts';
import { sqlOneTimeTokens } from './repositories/one-time-tokens.ts';
import { sqlRecoveryCodes } from './repositories/recovery-codes.ts';
import { sqlTotp } from './repositories/totp.ts';
import type { Db } from './rows.ts';
import type { Database } from './schema.ts';

export interface SqlStoreOptions {
  /** A faster lookup for the session check, when the dialect has one (SQLite: a cached prepared statement). */
  findSessionWithUser?: (id: string) => Promise<SessionWithUser | null>;
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

/** The storage ports over kysely: the same repositories serve SQLite and PostgreSQL. */
export function createSqlStore(db: Db, options: SqlStoreOptions): Store {
  const store: Store = {
    users: sqlUsers(db),
    // Inside a transaction the fast path is not used: it reads through another connection,
    // which cannot see the transaction's own uncommitted writes.
    sessions: sqlSessions(db, db.isTransaction ? undefined : options.findSessionWithUser),
    throttle: sqlThrottle(db),
    audit: sqlAudit(db),
    signingKeys: sqlSigningKeys(db),
    clients: sqlClients(db),
    refreshTokens: sqlRefreshTokens(db),
    revocations: sqlRevocations(db),
    oneTimeTokens: sqlOneTimeTokens(db),
    emailVerifications: sqlEmailVerifications(db),
    emailCodes: sqlEmailCodes(db),
    totp: sqlTotp(db),
    recoveryCodes: sqlRecoveryCodes(db),
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      if (db.isTransaction) return work(store);
      return (db as Kysely<Database>).transaction().execute((trx) => work(createSqlStore(trx, options)));
    },
    ping: options.ping,
    close: options.close,
  };
  return store;
}
