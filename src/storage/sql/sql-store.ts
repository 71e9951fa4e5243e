import type { Kysely } from 'kysely';
import type { Client, SessionWithUser, Store } from '../../core/ports.ts';
import { sqlAudit } from './repositories/audit.ts';
import { sqlClients } from './repositories/clients.ts';
import { sqlOAuthFlows } from './repositories/oauth-flows.ts';
import { sqlOAuthIdentities } from './repositories/oauth-identities.ts';
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
import { sqlPasskeys } from './repositories/passkeys.ts';
import { sqlPasskeyChallenges } from './repositories/passkey-challenges.ts';
import type { Db } from './rows.ts';
import type { Database } from './schema.ts';
import type { SqliteTransactionPaths } from './sqlite-hot-paths.ts';
import { createGroupCommit, type SavepointStatement } from './group-commit.ts';

export interface SqlStoreOptions {
  /** A faster lookup for the session check, when the dialect has one (SQLite: a cached prepared statement). */
  findSessionWithUser?: (id: string) => Promise<SessionWithUser | null>;
  /** The same for the token endpoint's client lookup. */
  findClient?: (id: string) => Promise<Client | null>;
  /** Prepared statements for use inside a transaction (SQLite: on the writer the transaction holds). */
  inTransaction?: SqliteTransactionPaths;
  /**
   * Commit concurrent transactions together (group-commit.ts): for a single-writer database.
   * `savepoint` runs the members' savepoint statements directly on the writer (SQLite), without
   * building a kysely query for each.
   */
  groupCommit?: { savepoint?: SavepointStatement };
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
  // Inside a transaction the read fast paths are not used: they read through another
  // connection, which cannot see the transaction's own uncommitted writes.
  const hot = db.isTransaction ? options.inTransaction : undefined;
  const sessions = sqlSessions(db, db.isTransaction ? hot?.findSessionWithUser : options.findSessionWithUser);
  const clients = sqlClients(db);
  const group =
    !db.isTransaction && options.groupCommit !== undefined
      ? createGroupCommit(db as Kysely<Database>, (trx) => createSqlStore(trx, options), options.groupCommit.savepoint)
      : null;
  const store: Store = {
    users: sqlUsers(db),
    sessions: hot === undefined ? sessions : { ...sessions, touch: hot.touchSession },
    throttle: sqlThrottle(db),
    audit: sqlAudit(db),
    signingKeys: sqlSigningKeys(db),
    clients: db.isTransaction || options.findClient === undefined ? clients : { ...clients, findById: options.findClient },
    refreshTokens: hot === undefined ? sqlRefreshTokens(db) : { ...sqlRefreshTokens(db), ...hot.refreshTokens },
    revocations: sqlRevocations(db),
    oauthIdentities: sqlOAuthIdentities(db),
    oauthFlows: sqlOAuthFlows(db),
    oneTimeTokens: sqlOneTimeTokens(db),
    emailVerifications: sqlEmailVerifications(db),
    emailCodes: sqlEmailCodes(db),
    totp: sqlTotp(db),
    recoveryCodes: sqlRecoveryCodes(db),
    passkeys: sqlPasskeys(db),
    passkeyChallenges: sqlPasskeyChallenges(db),
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      if (db.isTransaction) return work(store);
      if (group !== null) return group.transaction(work);
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
