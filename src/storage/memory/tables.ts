import type { AuthorizationCodeRecord, Consent, PendingAuthorization, PushedAuthorizationRequest, SessionClient, Delivery, WebhookEndpoint, PasskeyCredential, AuditEvent, UserProfile, Client, EmailCodeRecord, OAuthFlow, OAuthIdentity, OneTimeTokenRecord, RecoveryCodeRecord, RefreshTokenRecord, Revocation, Session, SigningKeyRecord, ThrottleState, TotpCredential, User } from '../../core/ports.ts';

/** The memory store's rows, one map (or list) per SQL table. */
export interface Tables {
  users: Map<string, User>;
  /** Keyed on the user id. */
  profiles: Map<string, UserProfile>;
  sessions: Map<string, Session>;
  throttle: Map<string, ThrottleState>;
  audit: AuditEvent[];
  signingKeys: Map<string, SigningKeyRecord>;
  clients: Map<string, Client>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  revocations: Revocation[];
  revocationSeq: number;
  oauthIdentities: Map<string, OAuthIdentity>;
  /** Keyed on the hex of the flow's id hash. */
  oauthFlows: Map<string, OAuthFlow>;
  oneTimeTokens: Map<string, OneTimeTokenRecord>;
  emailVerifications: Map<string, { email: string; verifiedAtMs: number }>;
  emailCodes: Map<string, EmailCodeRecord>;
  totp: Map<string, TotpCredential>;
  recoveryCodes: Map<string, RecoveryCodeRecord>;
  passkeys: Map<string, PasskeyCredential>;
  /** Answered passkey challenges: the hex of the challenge's SHA-256 to when the record may go. */
  usedPasskeyChallenges: Map<string, number>;
  /** The outbox, with each claim's lease token (never returned by the store). */
  deliveries: Map<string, Delivery & { leaseToken: string | null }>;
  /** User id -> operator since (the users.operator_since_ms column). */
  operators: Map<string, number>;
  /** Session id -> last console request (the sessions.console_seen_at_ms column). */
  consoleActivity: Map<string, number>;
  /** Single-use proof ids (DPoP proofs, client assertions), keyed on the caller's hash. */
  replayRecords: Map<string, { expiresAtMs: number }>;
  /** Keyed on the hex of the request_uri's hash. */
  pushedAuthorizationRequests: Map<string, PushedAuthorizationRequest>;
  pendingAuthorizations: Map<string, PendingAuthorization>;
  /** Keyed on the hex of the code hash. */
  authorizationCodes: Map<string, AuthorizationCodeRecord>;
  /** Keyed on `${userId} ${clientId}`. */
  consents: Map<string, Consent>;
  /** Keyed on `${sessionId} ${clientId}`. */
  sessionClients: Map<string, SessionClient>;
  webhookEndpoints: Map<string, WebhookEndpoint>;
}

/**
 * The live tables. Repositories read `db.tables` on every call, never keep it: a transaction
 * that rolls back puts its snapshot back by replacing `db.tables`.
 */
export interface MemoryDb {
  tables: Tables;
}

export function emptyTables(): Tables {
  return { users: new Map(), profiles: new Map(), sessions: new Map(), throttle: new Map(), audit: [], signingKeys: new Map(), clients: new Map(), refreshTokens: new Map(), revocations: [], revocationSeq: 0, oauthIdentities: new Map(), oauthFlows: new Map(), oneTimeTokens: new Map(), emailVerifications: new Map(), emailCodes: new Map(), totp: new Map(), recoveryCodes: new Map(), passkeys: new Map(), usedPasskeyChallenges: new Map(), deliveries: new Map(), operators: new Map(), consoleActivity: new Map(), replayRecords: new Map(), pushedAuthorizationRequests: new Map(), pendingAuthorizations: new Map(), authorizationCodes: new Map(), consents: new Map(), sessionClients: new Map(), webhookEndpoints: new Map() };
}

export function cloneTables(t: Tables): Tables {
  return {
    users: new Map(t.users),
    profiles: new Map(t.profiles),
    sessions: new Map(t.sessions),
    throttle: new Map(t.throttle),
    audit: [...t.audit],
    signingKeys: new Map(t.signingKeys),
    clients: new Map(t.clients),
    refreshTokens: new Map(t.refreshTokens),
    revocations: [...t.revocations],
    revocationSeq: t.revocationSeq,
    oauthIdentities: new Map(t.oauthIdentities),
    oauthFlows: new Map(t.oauthFlows),
    oneTimeTokens: new Map(t.oneTimeTokens),
    emailVerifications: new Map(t.emailVerifications),
    emailCodes: new Map(t.emailCodes),
    totp: new Map(t.totp),
    recoveryCodes: new Map(t.recoveryCodes),
    passkeys: new Map(t.passkeys),
    usedPasskeyChallenges: new Map(t.usedPasskeyChallenges),
    // Rows are changed in place by claimDue: a snapshot copies them, so a rollback undoes a claim.
    deliveries: new Map([...t.deliveries].map(([id, row]) => [id, { ...row }])),
    operators: new Map(t.operators),
    consoleActivity: new Map(t.consoleActivity),
    replayRecords: new Map(t.replayRecords),
    pushedAuthorizationRequests: new Map(t.pushedAuthorizationRequests),
    pendingAuthorizations: new Map(t.pendingAuthorizations),
    authorizationCodes: new Map(t.authorizationCodes),
    consents: new Map(t.consents),
    sessionClients: new Map(t.sessionClients),
    webhookEndpoints: new Map(t.webhookEndpoints),
  };
}

/**
 * The one expiry (and bulk delete) loop: removes every row of `map` that `doomed` picks, calling
 * `onDelete` first for the cascades SQL does with ON DELETE CASCADE. Returns how many it removed.
 */
export function deleteWhere<K, V>(map: Map<K, V>, doomed: (row: V) => boolean, onDelete?: (key: K) => void): number {
  let n = 0;
  for (const [key, row] of map) {
    if (doomed(row)) {
      onDelete?.(key);
      map.delete(key);
      n++;
    }
  }
  return n;
}

/**
 * Inserts `row` under `key` as SQL would with a primary key and a foreign key: a key already
 * taken, or a `parent` row that does not exist, is a bug in the caller and throws.
 */
export function insertRow<V>(table: Map<string, V>, key: string, row: V, checks: { duplicate: string; parent?: { table: Map<string, unknown>; key: string; missing: string } }): void {
  if (table.has(key)) throw new Error(checks.duplicate);
  if (checks.parent !== undefined && !checks.parent.table.has(checks.parent.key)) throw new Error(checks.parent.missing);
  table.set(key, row);
}

/** A copy of the row under `key` (so a caller cannot change a stored row), or null. */
export function findCopy<V>(table: Map<string, V>, key: string, copy: (row: V) => V): V | null {
  const row = table.get(key);
  return row === undefined ? null : copy(row);
}

/** A copy whose byte arrays are copies too, so a caller cannot change a stored row. */
export function copyBytes<T extends { secretHash?: Uint8Array; codeHash?: Uint8Array }>(r: T): T {
  return {
    ...r,
    ...(r.secretHash === undefined ? {} : { secretHash: new Uint8Array(r.secretHash) }),
    ...(r.codeHash === undefined ? {} : { codeHash: new Uint8Array(r.codeHash) }),
  };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Like the SQL foreign key: a session's refresh tokens go with it (ON DELETE CASCADE). */
export function dropRefreshTokensOf(tables: Tables, sessionId: string): void {
  deleteWhere(tables.refreshTokens, (t) => t.sessionId === sessionId);
}

/** Like the SQL foreign keys: everything of a user goes with it (ON DELETE CASCADE). */
export function dropEverythingOf(tables: Tables, userId: string): void {
  deleteWhere(tables.sessions, (s) => s.userId === userId, (sessionId) => dropRefreshTokensOf(tables, sessionId));
  deleteWhere(tables.oauthIdentities, (identity) => identity.userId === userId);
  deleteWhere(tables.oneTimeTokens, (t) => t.userId === userId);
  deleteWhere(tables.recoveryCodes, (c) => c.userId === userId);
  tables.emailVerifications.delete(userId);
  tables.profiles.delete(userId);
  tables.emailCodes.delete(userId);
  tables.totp.delete(userId);
  deleteWhere(tables.passkeys, (p) => p.userId === userId);
  tables.operators.delete(userId);
  deleteWhere(tables.consents, (c) => c.userId === userId);
}

/** A map key for a hash or other bytes (the memory tables key rows by the stored hash, as the SQL ones do). */
export const hashKey = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
