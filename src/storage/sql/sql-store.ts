import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../../core/ports.ts';
import { lazyStore, repositoryNames, type Repositories, type RepositoryName } from '../../core/lazy-store.ts';
import { sqlAudit } from './repositories/audit.ts';
import { sqlClients } from './repositories/clients.ts';
import { sqlDeliveries } from './repositories/deliveries.ts';
import { sqlWebhookEndpoints } from './repositories/webhook-endpoints.ts';
import { sqlOAuthFlows } from './repositories/oauth-flows.ts';
import { sqlAuthorizationCodes } from './repositories/authorization-codes.ts';
import { sqlConsents } from './repositories/consents.ts';
import { sqlPendingAuthorizations } from './repositories/pending-authorizations.ts';
import { sqlSessionClients } from './repositories/session-clients.ts';
import { sqlOAuthIdentities } from './repositories/oauth-identities.ts';
import { sqlRefreshTokens } from './repositories/refresh-tokens.ts';
import { sqlRevocations } from './repositories/revocations.ts';
import { sqlSigningKeys } from './repositories/signing-keys.ts';
import { sqlSessions } from './repositories/sessions.ts';
import { sqlThrottle } from './repositories/throttle.ts';
import { sqlUsers } from './repositories/users.ts';
import { sqlUserProfiles } from './repositories/user-profiles.ts';
import { sqlEmailCodes } from './repositories/email-codes.ts';
import { sqlEmailVerifications } from './repositories/email-verifications.ts';
import { sqlOneTimeTokens } from './repositories/one-time-tokens.ts';
import { sqlRecoveryCodes } from './repositories/recovery-codes.ts';
import { sqlTotp } from './repositories/totp.ts';
import { sqlPasskeys } from './repositories/passkeys.ts';
import { sqlUsedPasskeyChallenges } from './repositories/used-passkey-challenges.ts';
import { sqlConsoleActivity, sqlOperators } from './repositories/operators.ts';
import { sqlReplayRecords } from './repositories/replay-records.ts';
import { sqlPushedAuthorizationRequests } from './repositories/pushed-authorization-requests.ts';
import { sqlClientMaintenance } from './repositories/client-maintenance.ts';
import { sqlAuditSearch, sqlSessionCensus, sqlThrottleCensus, sqlUserDirectory } from './repositories/console-queries.ts';
import type { Db } from './rows.ts';
import type { Database } from './schema.ts';
import { createGroupCommit, type SavepointStatement } from './group-commit.ts';
import type { RunTransaction } from './node-sqlite-dialect.ts';

/** The repositories of a Store, without its transaction and lifecycle. */
export type { Repositories };

/** Some methods of some repositories, replacing the kysely ones. */
export type RepositoryOverrides = { [K in keyof Repositories]?: Partial<Repositories[K]> };

/**
 * A dialect's faster versions of the hottest repository methods (prepared statements running
 * the repositories' own queries): SQLite's are built in sqlite.ts, PostgreSQL's in postgres.ts.
 * Outside transactions and inside them separately: a fast read outside a transaction may use
 * another connection, which cannot see a transaction's uncommitted writes.
 */
export interface SqlFastPaths {
  outsideTransaction?: RepositoryOverrides;
  inTransaction?: RepositoryOverrides;
}

export interface SqlStoreOptions {
  fastPaths?: SqlFastPaths;
  /**
   * Commit concurrent transactions together (group-commit.ts): for a single-writer database.
   * `savepoint` runs the members' savepoint statements directly on the writer (SQLite), without
   * building a kysely query for each.
   */
  groupCommit?: { savepoint?: SavepointStatement };
  /**
   * How a database transaction is run: by default kysely's `db.transaction()`; SQLite's writer
   * runs BEGIN and COMMIT as prepared statements (node-sqlite-dialect.ts).
   */
  runTransaction?: RunTransaction;
  ping: () => Promise<void>;
  close: () => Promise<void>;
  /** A failed transaction that may simply run again (PostgreSQL: serialization failure, deadlock). */
  isRetryable?: (error: unknown) => boolean;
  /** Details for /readyz (PostgreSQL: pool use). */
  describe?: () => Record<string, unknown>;
}

/** Several sets of fast paths as one; each repository method comes from the last set that has it. */
export function mergeFastPaths(...sets: SqlFastPaths[]): SqlFastPaths {
  const merge = (key: keyof SqlFastPaths): RepositoryOverrides => {
    const merged: Record<string, Record<string, unknown>> = {};
    for (const set of sets) for (const [name, methods] of Object.entries(set[key] ?? {})) merged[name] = { ...merged[name], ...methods };
    return merged as RepositoryOverrides;
  };
  return { outsideTransaction: merge('outsideTransaction'), inTransaction: merge('inTransaction') };
}

/** How each repository is built over a database handle (the database, or one transaction). */
type RepositoryFactories = { [K in RepositoryName]: (db: Db) => Store[K] };

const sqlRepositories: RepositoryFactories = {
  users: sqlUsers,
  profiles: sqlUserProfiles,
  sessions: sqlSessions,
  throttle: sqlThrottle,
  audit: sqlAudit,
  signingKeys: sqlSigningKeys,
  clients: sqlClients,
  refreshTokens: sqlRefreshTokens,
  revocations: sqlRevocations,
  oauthIdentities: sqlOAuthIdentities,
  oauthFlows: sqlOAuthFlows,
  oneTimeTokens: sqlOneTimeTokens,
  emailVerifications: sqlEmailVerifications,
  emailCodes: sqlEmailCodes,
  totp: sqlTotp,
  recoveryCodes: sqlRecoveryCodes,
  passkeys: sqlPasskeys,
  usedPasskeyChallenges: sqlUsedPasskeyChallenges,
  deliveries: sqlDeliveries,
  operators: sqlOperators,
  consoleActivity: sqlConsoleActivity,
  replayRecords: sqlReplayRecords,
  pushedAuthorizationRequests: sqlPushedAuthorizationRequests,
  pendingAuthorizations: sqlPendingAuthorizations,
  authorizationCodes: sqlAuthorizationCodes,
  consents: sqlConsents,
  sessionClients: sqlSessionClients,
  userDirectory: sqlUserDirectory,
  sessionCensus: sqlSessionCensus,
  auditSearch: sqlAuditSearch,
  webhookEndpoints: sqlWebhookEndpoints,
  throttleCensus: sqlThrottleCensus,
  clientMaintenance: sqlClientMaintenance,
};

/** The factories with a dialect's fast paths merged over the kysely methods they replace (the one place they are applied). */
function withOverrides(overrides: RepositoryOverrides | undefined): RepositoryFactories {
  if (overrides === undefined) return sqlRepositories;
  const merged: Record<string, (db: Db) => unknown> = { ...sqlRepositories };
  for (const [name, methods] of Object.entries(overrides)) {
    const build = sqlRepositories[name as RepositoryName] as (db: Db) => object;
    merged[name] = (db) => ({ ...build(db), ...methods });
  }
  return merged as RepositoryFactories;
}

/** Runs of a transaction that failed only because it raced another one, before the error is passed on. */
const maxTransactionAttempts = 5;

/**
 * The storage ports over kysely: the same repositories serve SQLite and PostgreSQL.
 *
 * The store opened here builds every repository at once (once per process). The store of each
 * transaction builds a repository only when the transaction's work first uses it (core/lazy-store.ts):
 * a transaction runs for every login, grant and logout, and touches a few of the 33.
 */
export function createSqlStore(db: Kysely<Database>, options: SqlStoreOptions): Store {
  const outside = withOverrides(options.fastPaths?.outsideTransaction);
  const inside = withOverrides(options.fastPaths?.inTransaction);
  const transactionStore = (trx: Transaction<Database>): Store => {
    const tx = lazyStore({ transaction: (work) => work(tx), ping: options.ping, close: options.close, describe: options.describe }, (name) => inside[name](trx));
    return tx;
  };
  const runTransaction: RunTransaction = options.runTransaction ?? ((work) => db.transaction().execute(work));
  const group = options.groupCommit === undefined ? null : createGroupCommit(runTransaction, transactionStore, options.groupCommit.savepoint);
  const repositories = Object.fromEntries(repositoryNames.map((name) => [name, outside[name](db)])) as unknown as Repositories;
  return {
    ...repositories,
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      if (group !== null) return group.transaction(work);
      const run = (): Promise<T> => runTransaction((trx) => work(transactionStore(trx)));
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
}
