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
import type { Db } from './rows.ts';
import type { Database } from './schema.ts';

export interface SqlStoreOptions {
  /** A faster lookup for the session check, when the dialect has one (SQLite: a cached prepared statement). */
  findSessionWithUser?: (id: string) => Promise<SessionWithUser | null>;
  ping: () => Promise<void>;
  close: () => Promise<void>;
  /** A failed transaction that may simply run again (PostgreSQL: serialization failure, deadlock). */
  isRetryable?: (error: unknown) => boolean;
  /** Details for /readyz (PostgreSQL: pool use). */
  describe?: () => Record<string, unknown>;
}

/** Runs of a transaction that failed only because it raced another one, before the error is passed on. */
const maxTransactionAttempts = 5;

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
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      if (db.isTransaction) return work(store);
      const run = (): Promise<T> => (db as Kysely<Database>).transaction().execute((trx) => work(createSqlStore(trx, options)));
      if (options.isRetryable === undefined) return run();
      const isRetryable = options.isRetryable;
      const attempt = async (n: number): Promise<T> => {
        try {
          return await run();
        } catch (error) {
          // Nothing of the failed run was committed, so running `work` again is safe.
          if (n < maxTransactionAttempts && isRetryable(error)) return attempt(n + 1);
          throw error;
        }
      };
      return attempt(1);
    },
    ping: options.ping,
    close: options.close,
    ...(options.describe === undefined ? {} : { describe: options.describe }),
  };
  return store;
}
