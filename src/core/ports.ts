/**
 * The narrow interfaces the domain needs from the outside world. Storage adapters
 * (memory, SQLite, PostgreSQL and Redis) implement these; the domain never sees SQL,
 * HTTP, process.env or the wall clock directly.
 *
 * Each area's store interfaces sit beside the area (`core/sessions/ports.ts`,
 * `core/tokens/ports.ts`, ...); this file holds the clock, the randomness and the `Store`
 * that gathers them, and re-exports every area's port so `import ... from 'core/ports.ts'`
 * keeps working.
 */

import type { EmailVerificationStore, OneTimeTokenStore, UserProfileStore, UserStore } from './accounts/ports.ts';
import type { AuditStore } from './audit/ports.ts';
import type { ClientStore } from './clients/ports.ts';
import type { DeliveryStore } from './delivery/ports.ts';
import type { WebhookEndpointStore } from './webhooks/ports.ts';
import type { OAuthFlowStore, OAuthIdentityStore } from './oauth-client/ports.ts';
import type { PasskeyStore, UsedPasskeyChallengeStore } from './passkeys/ports.ts';
import type { ConsoleActivityStore, OperatorStore } from './operators/ports.ts';
import type { AuthorizationCodeStore, ConsentStore, PendingAuthorizationStore, PushedAuthorizationRequestStore, SessionClientStore } from './oauth-provider/ports.ts';
import type { AuditSearch, ClientMaintenance, SessionCensus, ThrottleCensus, UserDirectory } from './console/ports.ts';
import type { EmailCodeStore, RecoveryCodeStore, TotpStore } from './otp/ports.ts';
import type { SessionStore, SessionWithUser } from './sessions/ports.ts';
import type { ThrottleStore } from './throttle/ports.ts';
import type { RefreshTokenStore, ReplayRecordStore, RevocationStore, SigningKeyStore } from './tokens/ports.ts';

export type * from './accounts/ports.ts';
export type * from './audit/ports.ts';
export type * from './clients/ports.ts';
export type * from './console/ports.ts';
export type * from './delivery/ports.ts';
export type * from './webhooks/ports.ts';
export type * from './mail/ports.ts';
export type * from './oauth-client/ports.ts';
export type * from './operators/ports.ts';
export type * from './oauth-provider/ports.ts';
export type * from './otp/ports.ts';
export type * from './passkeys/ports.ts';
export type * from './sessions/ports.ts';
export type * from './throttle/ports.ts';
export type * from './tokens/ports.ts';

/** Milliseconds since the Unix epoch. Injected so expiry rules are tested without sleeping. */
export interface Clock {
  nowMs(): number;
}

/** Cryptographically secure random bytes. Injected so tests can be deterministic where they need to be. */
export interface Random {
  bytes(length: number): Uint8Array;
}

/** Everything the domain stores, with an all-or-nothing transaction over it. */
export interface Store {
  users: UserStore;
  profiles: UserProfileStore;
  sessions: SessionStore;
  throttle: ThrottleStore;
  audit: AuditStore;
  signingKeys: SigningKeyStore;
  clients: ClientStore;
  refreshTokens: RefreshTokenStore;
  revocations: RevocationStore;
  oauthIdentities: OAuthIdentityStore;
  oauthFlows: OAuthFlowStore;
  oneTimeTokens: OneTimeTokenStore;
  emailVerifications: EmailVerificationStore;
  emailCodes: EmailCodeStore;
  totp: TotpStore;
  recoveryCodes: RecoveryCodeStore;
  passkeys: PasskeyStore;
  usedPasskeyChallenges: UsedPasskeyChallengeStore;
  /** The durable outbox: enqueue on the transaction's store, so a delivery commits with its event. */
  deliveries: DeliveryStore;
  operators: OperatorStore;
  consoleActivity: ConsoleActivityStore;
  replayRecords: ReplayRecordStore;
  pushedAuthorizationRequests: PushedAuthorizationRequestStore;
  pendingAuthorizations: PendingAuthorizationStore;
  authorizationCodes: AuthorizationCodeStore;
  consents: ConsentStore;
  sessionClients: SessionClientStore;
  /** The console's read-only queries (core/console/ports.ts). */
  userDirectory: UserDirectory;
  sessionCensus: SessionCensus;
  auditSearch: AuditSearch;
  webhookEndpoints: WebhookEndpointStore;
  throttleCensus: ThrottleCensus;
  clientMaintenance: ClientMaintenance;
  /** Runs `work` atomically: every write inside commits together, or none does. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /** Resolves when the backing service answers; used by /readyz. */
  ping(): Promise<void>;
  /** What /readyz shows about the backing services (a connection pool's use), when the adapter has something to say. */
  describe?(): Record<string, unknown>;
  /**
   * The session check from memory, synchronously (storage/session-cache.ts): what
   * `sessions.findWithUser(id)` would answer now without reading storage, or undefined when it
   * would read storage. Absent on a store without the cache, and on a transaction's store. What it
   * answers is frozen, and the same object until the cached entry changes.
   */
  sessionFromMemory?(id: string): SessionWithUser | undefined;
  /**
   * True when a transaction costs no round trip and a read inside one costs less than a read on
   * its own (SQLite: one in-process writer, whose autocommit read takes and drops a read lock of
   * its own, ~2 us here, where a read inside a transaction shares the transaction's). A
   * read-then-write operation then does both in one transaction (the refresh grant). Absent where
   * a transaction costs round trips (PostgreSQL: BEGIN and COMMIT).
   */
  localTransactions?: true;
  close(): Promise<void>;
}
