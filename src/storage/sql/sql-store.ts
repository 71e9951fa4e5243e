import type { Kysely } from 'kysely';
import type { Store } from '../../core/ports.ts';
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

/** The repositories of a Store, without its transaction and lifecycle. */
export type Repositories = Omit<Store, 'transaction' | 'ping' | 'close' | 'describe'>;

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

function sqlRepositories(db: Db): Repositories {
  return {
    users: sqlUsers(db),
    profiles: sqlUserProfiles(db),
    sessions: sqlSessions(db),
    throttle: sqlThrottle(db),
    audit: sqlAudit(db),
    signingKeys: sqlSigningKeys(db),
    clients: sqlClients(db),
    refreshTokens: sqlRefreshTokens(db),
    revocations: sqlRevocations(db),
    oauthIdentities: sqlOAuthIdentities(db),
    oauthFlows: sqlOAuthFlows(db),
    oneTimeTokens: sqlOneTimeTokens(db),
    emailVerifications: sqlEmailVerifications(db),
    emailCodes: sqlEmailCodes(db),
    totp: sqlTotp(db),
    recoveryCodes: sqlRecoveryCodes(db),
    passkeys: sqlPasskeys(db),
    usedPasskeyChallenges: sqlUsedPasskeyChallenges(db),
    deliveries: sqlDeliveries(db),
    operators: sqlOperators(db),
    consoleActivity: sqlConsoleActivity(db),
    replayRecords: sqlReplayRecords(db),
    pushedAuthorizationRequests: sqlPushedAuthorizationRequests(db),
    pendingAuthorizations: sqlPendingAuthorizations(db),
    authorizationCodes: sqlAuthorizationCodes(db),
    consents: sqlConsents(db),
    sessionClients: sqlSessionClients(db),
    userDirectory: sqlUserDirectory(db),
    sessionCensus: sqlSessionCensus(db),
    auditSearch: sqlAuditSearch(db),
    webhookEndpoints: sqlWebhookEndpoints(db),
    throttleCensus: sqlThrottleCensus(db),
    clientMaintenance: sqlClientMaintenance(db),
  };
}

function withOverrides(repositories: Repositories, overrides: RepositoryOverrides | undefined): Repositories {
  if (overrides === undefined) return repositories;
  const merged: Record<string, unknown> = { ...repositories };
  for (const [name, methods] of Object.entries(overrides)) merged[name] = { ...repositories[name as keyof Repositories], ...methods };
  return merged as unknown as Repositories;
}

/** Runs of a transaction that failed only because it raced another one, before the error is passed on. */
const maxTransactionAttempts = 5;

/** The storage ports over kysely: the same repositories serve SQLite and PostgreSQL. */
export function createSqlStore(db: Db, options: SqlStoreOptions): Store {
  // The one place a dialect's fast paths replace repository methods.
  const repositories = withOverrides(sqlRepositories(db), db.isTransaction ? options.fastPaths?.inTransaction : options.fastPaths?.outsideTransaction);
  const group =
    !db.isTransaction && options.groupCommit !== undefined
      ? createGroupCommit(db as Kysely<Database>, (trx) => createSqlStore(trx, options), options.groupCommit.savepoint)
      : null;
  const store: Store = {
    ...repositories,
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
