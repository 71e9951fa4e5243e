import type { Store } from '../../core/ports.ts';
import { memoryAudit } from './audit.ts';
import { memoryClients } from './clients.ts';
import { memoryDeliveries } from './deliveries.ts';
import { memoryWebhookEndpoints } from './webhook-endpoints.ts';
import { memoryEmailCodes } from './email-codes.ts';
import { memoryEmailVerifications } from './email-verifications.ts';
import { memoryOAuthFlows } from './oauth-flows.ts';
import { memoryOAuthIdentities } from './oauth-identities.ts';
import { memoryUsedPasskeyChallenges } from './used-passkey-challenges.ts';
import { memoryPasskeys } from './passkeys.ts';
import { memoryConsoleActivity, memoryOperators } from './operators.ts';
import { memoryClientMaintenance } from './client-maintenance.ts';
import { memoryAuditSearch, memorySessionCensus, memoryThrottleCensus, memoryUserDirectory } from './console-queries.ts';
import { memoryOneTimeTokens } from './one-time-tokens.ts';
import { memoryRecoveryCodes } from './recovery-codes.ts';
import { memoryRefreshTokens } from './refresh-tokens.ts';
import { memoryReplayRecords } from './replay-records.ts';
import { memoryPushedAuthorizationRequests } from './pushed-authorization-requests.ts';
import { memoryRevocations } from './revocations.ts';
import { memorySessions } from './sessions.ts';
import { memorySigningKeys } from './signing-keys.ts';
import { cloneTables, emptyTables, type MemoryDb } from './tables.ts';
import { memoryThrottle } from './throttle.ts';
import { memoryTotp } from './totp.ts';
import { memoryUsers } from './users.ts';
import { memoryUserProfiles } from './user-profiles.ts';
import { memoryAuthorizationCodes } from './authorization-codes.ts';
import { memoryConsents } from './consents.ts';
import { memoryPendingAuthorizations } from './pending-authorizations.ts';
import { memorySessionClients } from './session-clients.ts';

type Repositories = Omit<Store, 'transaction' | 'ping' | 'close'>;

function repositories(db: MemoryDb): Repositories {
  return {
    users: memoryUsers(db),
    profiles: memoryUserProfiles(db),
    sessions: memorySessions(db),
    throttle: memoryThrottle(db),
    audit: memoryAudit(db),
    signingKeys: memorySigningKeys(db),
    clients: memoryClients(db),
    refreshTokens: memoryRefreshTokens(db),
    revocations: memoryRevocations(db),
    oauthIdentities: memoryOAuthIdentities(db),
    oauthFlows: memoryOAuthFlows(db),
    oneTimeTokens: memoryOneTimeTokens(db),
    emailVerifications: memoryEmailVerifications(db),
    emailCodes: memoryEmailCodes(db),
    totp: memoryTotp(db),
    recoveryCodes: memoryRecoveryCodes(db),
    passkeys: memoryPasskeys(db),
    usedPasskeyChallenges: memoryUsedPasskeyChallenges(db),
    deliveries: memoryDeliveries(db),
    operators: memoryOperators(db),
    consoleActivity: memoryConsoleActivity(db),
    replayRecords: memoryReplayRecords(db),
    pushedAuthorizationRequests: memoryPushedAuthorizationRequests(db),
    pendingAuthorizations: memoryPendingAuthorizations(db),
    authorizationCodes: memoryAuthorizationCodes(db),
    consents: memoryConsents(db),
    sessionClients: memorySessionClients(db),
    userDirectory: memoryUserDirectory(db),
    sessionCensus: memorySessionCensus(db),
    auditSearch: memoryAuditSearch(db),
    webhookEndpoints: memoryWebhookEndpoints(db),
    throttleCensus: memoryThrottleCensus(db),
    clientMaintenance: memoryClientMaintenance(db),
  };
}

/** Wraps every method of every repository so it runs through `run`. */
function through(direct: Repositories, run: <T>(call: () => Promise<T>) => Promise<T>): Repositories {
  const wrap = <R extends object>(repository: R): R =>
    Object.fromEntries(
      Object.entries(repository).map(([name, method]) => [name, (...args: unknown[]) => run(() => (method as (...a: unknown[]) => Promise<unknown>)(...args))]),
    ) as R;
  return Object.fromEntries(Object.entries(direct).map(([name, repository]) => [name, wrap(repository as object)])) as unknown as Repositories;
}

/**
 * The reference implementation of the storage ports, for fast unit tests. It passes the same
 * contract suite as SQLite. Like SQLite it has a single writer: every call, and every
 * transaction as a whole, runs in turn, so a transaction that rolls back (by restoring its
 * snapshot) can never undo another caller's write. One file per repository beside this one,
 * named as in storage/sql/repositories/.
 */
export function createMemoryStore(): Store {
  const db: MemoryDb = { tables: emptyTables() };
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = <T>(call: () => Promise<T>): Promise<T> => {
    const result = queue.then(call, call);
    queue = result.catch(() => undefined);
    return result;
  };

  const direct = repositories(db);
  const inTransaction: Store = {
    ...direct,
    transaction: (work) => work(inTransaction),
    async ping() {},
    async close() {},
  };
  return {
    ...through(direct, enqueue),
    transaction: <T>(work: (tx: Store) => Promise<T>): Promise<T> =>
      enqueue(async () => {
        const snapshot = cloneTables(db.tables);
        try {
          return await work(inTransaction);
        } catch (error) {
          db.tables = snapshot;
          throw error;
        }
      }),
    async ping() {},
    async close() {},
  };
}
