/**
 * The narrow interfaces the domain needs from the outside world. Storage adapters
 * (memory, SQLite, later PostgreSQL and Redis) implement these; the domain never
 * sees SQL, HTTP, process.env or the wall clock directly.
 */

/** Milliseconds since the Unix epoch. Injected so expiry rules are tested without sleeping. */
export interface Clock {
  nowMs(): number;
}

/** Cryptographically secure random bytes. Injected so tests can be deterministic where they need to be. */
export interface Random {
  bytes(length: number): Uint8Array;
}

export interface User {
  id: string;
  /** Normalized: see core/accounts/normalize-email.ts. Unique. */
  email: string;
  /**
   * PHC-format argon2id hash; null for an account created through a social login, which has
   * no password (password login refuses it exactly as it refuses a wrong password).
   */
  passwordHash: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  /** Set when an operator disabled the account; a disabled account has no sessions. */
  disabledAtMs: number | null;
}

export interface Session {
  /** Public identifier: appears in `GET /v1/sessions` and `DELETE /v1/sessions/{id}`. */
  id: string;
  userId: string;
  /** SHA-256 of the secret half of the token; the secret itself is never stored. */
  secretHash: Uint8Array;
  createdAtMs: number;
  lastSeenAtMs: number;
  /** The absolute limit: the session ends here whatever the activity. */
  expiresAtMs: number;
  userAgent: string;
  ip: string;
}

export interface SessionWithUser {
  session: Session;
  user: User;
}

export interface UserStore {
  /** Inserts the user; an existing email is an expected outcome, not an exception. */
  create(user: User): Promise<'created' | 'email_taken'>;
  findById(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  updatePasswordHash(id: string, passwordHash: string, nowMs: number): Promise<void>;
  setDisabledAt(id: string, disabledAtMs: number | null, nowMs: number): Promise<boolean>;
  /** Removes the user and, with them, every session. */
  delete(id: string): Promise<boolean>;
  list(options: { limit: number; afterEmail?: string }): Promise<User[]>;
}

export interface SessionStore {
  create(session: Session): Promise<void>;
  /** The hot path: one lookup by primary key, joined with the user. */
  findWithUser(id: string): Promise<SessionWithUser | null>;
  touch(id: string, lastSeenAtMs: number): Promise<void>;
  listByUser(userId: string): Promise<Session[]>;
  delete(id: string): Promise<boolean>;
  /** Deletes every session of the user except `exceptId`; returns the ids deleted. */
  deleteByUser(userId: string, exceptId?: string): Promise<string[]>;
  /** Housekeeping: removes sessions whose absolute or idle limit has passed. */
  deleteExpired(nowMs: number, idleTimeoutMs: number): Promise<number>;
}

/** Failure counters for throttling: one row per key (an account or an IP). */
export interface ThrottleState {
  failures: number;
  lastFailureAtMs: number;
}

/** What a throttle rule needs to know to decide whether a key is locked; see core/throttle. */
export interface ThrottleRuleShape {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  resetAfterMs: number;
}

/**
 * An allowed reservation remembers the key's state before and after it, so a refund can put
 * the key back exactly as it was (timestamp included) when nothing else touched it meanwhile.
 */
export type ThrottleReservation =
  | { allowed: true; before: ThrottleState | null; after: ThrottleState }
  | { allowed: false; waitMs: number };

export interface ThrottleStore {
  get(key: string): Promise<ThrottleState | null>;
  /**
   * Atomically: when `key` is not locked under `rule`, counts one attempt as a failure and
   * allows it; when it is locked, refuses it and changes nothing (so refused attempts never
   * extend a lock). Concurrent calls on one key, from any number of processes, never let more
   * attempts through than the rule allows.
   */
  reserve(key: string, nowMs: number, rule: ThrottleRuleShape): Promise<ThrottleReservation>;
  /**
   * Takes back an allowed reservation (the attempt succeeded, or a later check refused it):
   * restores `before` when the key still holds `after`; otherwise (other attempts came in
   * since) removes one failure, never going below zero.
   */
  refund(key: string, reservation: { before: ThrottleState | null; after: ThrottleState }): Promise<void>;
  /**
   * Atomically adds one failure. When the last failure is older than `resetAfterMs`,
   * the count starts again at one.
   */
  recordFailure(key: string, nowMs: number, resetAfterMs: number): Promise<ThrottleState>;
  clear(key: string): Promise<void>;
  /** Housekeeping: forgets counters idle for longer than `resetAfterMs`. */
  deleteStale(nowMs: number, resetAfterMs: number): Promise<number>;
}

export type AuditEventType =
  | 'user.signed_up'
  | 'login.succeeded'
  | 'login.failed'
  | 'logout'
  | 'session.revoked'
  | 'password.changed'
  | 'account.deleted'
  | 'account.disabled'
  | 'account.enabled'
  | 'refresh.reuse_detected'
  | 'oauth.identity_linked'
  | 'oauth.identity_unlinked'
  | 'oauth.login_failed'
  | 'signup.existing_email'
  | 'email.verification_sent'
  | 'email.verified'
  | 'password_reset.requested'
  | 'password.reset'
  | 'login.second_factor_required'
  | 'second_factor.failed'
  | 'email_code.sent'
  | 'email_code.failed'
  | 'reauth.succeeded'
  | 'totp.enrolment_started'
  | 'totp.enabled'
  | 'totp.disabled'
  | 'recovery_codes.generated'
  | 'recovery_code.used';

export interface AuditEvent {
  id: string;
  atMs: number;
  type: AuditEventType;
  userId: string | null;
  /** The email as typed for failures (normalized), so failed attempts on unknown emails are visible. */
  email: string | null;
  ip: string;
  userAgent: string;
  /** Free-form context, never a secret: a reason code or a session id. */
  detail: string | null;
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  list(options: { limit: number; userId?: string }): Promise<AuditEvent[]>;
}

/** A JWT signing key. The private half is stored only as a JWE under the server secret. */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  /** The public JWK as JSON (public members only). */
  publicJwk: string;
  /** The private JWK, encrypted (compact JWE, dir + A256GCM) under a key derived from the server secret. */
  privateJwe: string;
  createdAtMs: number;
  /** It may sign from here on; before, it is only published (so every verifier has it first). */
  activatesAtMs: number;
  /** It stops signing here (a newer key took over); null while current. */
  retiresAtMs: number | null;
  /** It leaves the JWKS here, once its last token has expired; null while it may still sign. */
  expiresAtMs: number | null;
}

export interface SigningKeyStore {
  list(): Promise<SigningKeyRecord[]>;
  insert(key: SigningKeyRecord): Promise<void>;
  /**
   * A new install's first key: inserts it only if no key can sign at `nowMs`, atomically, so
   * instances starting together on an empty database agree on one key. True if inserted.
   */
  insertFirst(key: SigningKeyRecord, nowMs: number): Promise<boolean>;
  /** Marks a key retired: it signs nothing after `retiresAtMs` and leaves the JWKS at `expiresAtMs`. */
  retire(kid: string, retiresAtMs: number, expiresAtMs: number): Promise<void>;
  deleteExpired(nowMs: number): Promise<number>;
}

export type ClientType = 'public' | 'confidential';
export type GrantType = 'password' | 'refresh_token' | 'session';
/**
 * Where the token endpoint puts a client's refresh token. `body`: in the JSON response (servers,
 * native apps). `cookie`: only in an HttpOnly `__Host-` cookie, never where a script can read it
 * (browser apps; public clients only).
 */
export type RefreshTokenDelivery = 'body' | 'cookie';

/** An OAuth client: an app that asks Gatehouse for tokens. */
export interface Client {
  id: string;
  name: string;
  type: ClientType;
  /** SHA-256 (base64url) of the client secret, confidential clients only: the secret is 256 random bits. */
  secretHash: string | null;
  grantTypes: GrantType[];
  /** The `aud` of the access tokens it receives: the API they are for. */
  audience: string;
  refreshTokenDelivery: RefreshTokenDelivery;
  createdAtMs: number;
}

export interface ClientStore {
  create(client: Client): Promise<'created' | 'id_taken'>;
  findById(id: string): Promise<Client | null>;
  list(): Promise<Client[]>;
  delete(id: string): Promise<boolean>;
}

/** One refresh token of a rotation family. Only the SHA-256 of its secret is stored. */
export interface RefreshTokenRecord {
  id: string;
  /** The id of the first token of the chain: reuse of any rotated token revokes the whole family. */
  familyId: string;
  sessionId: string;
  clientId: string;
  secretHash: Uint8Array;
  scope: string;
  createdAtMs: number;
  /** Unused this long, it dies (each rotation starts a new idle window). */
  idleExpiresAtMs: number;
  /** The family's absolute limit, whatever the use. */
  familyExpiresAtMs: number;
  /** Set when it was exchanged for its successor. */
  usedAtMs: number | null;
  successorId: string | null;
}

export interface RefreshTokenStore {
  insert(token: RefreshTokenRecord): Promise<void>;
  findById(id: string): Promise<RefreshTokenRecord | null>;
  /** Marks `id` used and points it at its successor, only if it is still unused: false when another call won. */
  markUsed(id: string, usedAtMs: number, successorId: string): Promise<boolean>;
  /** Deletes every token of the family; returns how many. */
  deleteFamily(familyId: string): Promise<number>;
  deleteExpired(nowMs: number): Promise<number>;
}

/**
 * A revocation that every verifier must learn: all tokens of a session (`sid`), or one token
 * (`jti`). `seq` orders the feed; the entry is dropped once no token it covers can be valid.
 */
export interface Revocation {
  seq: number;
  sid: string | null;
  jti: string | null;
  expiresAtMs: number;
  createdAtMs: number;
  /** Why: logout, session_revoked, password_changed, account_disabled, account_deleted, refresh_reuse, token_revoked. */
  reason: string;
}

export interface RevocationStore {
  /** Appends an entry; the store assigns `seq`, increasing. */
  append(entry: Omit<Revocation, 'seq'>): Promise<void>;
  /** Entries with seq > `afterSeq`, oldest first, at most `limit`. */
  listAfter(afterSeq: number, limit: number): Promise<Revocation[]>;
  /** The highest seq ever assigned that is still stored (0 when none). */
  latestSeq(): Promise<number>;
  /** True when this access token (by jti) has a revocation entry. */
  hasJti(jti: string): Promise<boolean>;
  /**
   * The reason of the newest entry for this session id while it is kept (null when none), so a
   * browser whose session was ended elsewhere can be told why it is on the login page.
   */
  sessionEndReason(sid: string): Promise<string | null>;
  deleteExpired(nowMs: number): Promise<number>;
  /**
   * Calls `listener` when new entries may have been appended, by this process or another
   * instance (Redis pub/sub), so feeds need not wait for their next poll. Optional: without it
   * the feed polls. Returns the unsubscribe.
   */
  watch?(listener: () => void): () => void;
}

/** An account at an external identity provider, linked to a user. Keyed on (issuer, subject), never on email. */
export interface OAuthIdentity {
  id: string;
  userId: string;
  /** The configured provider id (`google`, `github`, `demo`, ...), for display and unlinking. */
  provider: string;
  /** The provider's issuer identifier (for GitHub, which has none, `https://github.com`). */
  issuer: string;
  /** The provider's stable id for the account (`sub`; GitHub's numeric user id). */
  subject: string;
  /** The email the provider asserted at the last login, for display only; never used to find the user. */
  email: string | null;
  createdAtMs: number;
  lastLoginAtMs: number;
  /** The provider's tokens as a compact JWE under the server secret, only when configured to keep them. */
  tokensJwe: string | null;
}

export interface OAuthIdentityStore {
  /** Inserts the link; an (issuer, subject) already linked to any user is an expected outcome. */
  create(identity: OAuthIdentity): Promise<'created' | 'subject_taken'>;
  findBySubject(issuer: string, subject: string): Promise<OAuthIdentity | null>;
  listByUser(userId: string): Promise<OAuthIdentity[]>;
  /** Records a login through this identity (and the provider's tokens when kept). */
  recordLogin(id: string, atMs: number, email: string | null, tokensJwe: string | null): Promise<void>;
  /** Deletes the identity only when it belongs to `userId`. */
  delete(userId: string, id: string): Promise<boolean>;
}

/**
 * A social login in progress, between the redirect to the provider and its callback. Keyed on
 * SHA-256 of the flow cookie's secret; state, nonce and the PKCE verifier are derived from that
 * secret with a server key, so the record holds no secret at all.
 */
export interface OAuthFlow {
  idHash: Uint8Array;
  provider: string;
  /** `link`: a signed-in user adds an identity from /account (`userId` is theirs). */
  purpose: 'login' | 'link';
  userId: string | null;
  /** Already checked by safeReturnTo when the flow started. */
  returnTo: string;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface OAuthFlowStore {
  insert(flow: OAuthFlow): Promise<void>;
  /** Removes and returns the flow in one step: of two calls with one hash, at most one gets it (single use). */
  take(idHash: Uint8Array): Promise<OAuthFlow | null>;
  deleteExpired(nowMs: number): Promise<number>;
}

export type OneTimeTokenPurpose = 'verify_email' | 'password_reset';

/** A link token (email verification, password reset): `id.secret`, only SHA-256(secret) stored. */
export interface OneTimeTokenRecord {
  id: string;
  userId: string;
  purpose: OneTimeTokenPurpose;
  /** The address the link was mailed to: a verification proves this address, not a later one. */
  email: string;
  secretHash: Uint8Array;
  createdAtMs: number;
  expiresAtMs: number;
  usedAtMs: number | null;
}

export interface OneTimeTokenStore {
  insert(token: OneTimeTokenRecord): Promise<void>;
  findById(id: string): Promise<OneTimeTokenRecord | null>;
  /** Marks it used, only if it is unused and not expired at `nowMs`: false when another call won (single use). */
  consume(id: string, nowMs: number): Promise<boolean>;
  /** Removes every token of the user for `purpose` (a new link voids the older ones; a reset voids them all). */
  deleteByUser(userId: string, purpose: OneTimeTokenPurpose): Promise<number>;
  deleteExpired(nowMs: number): Promise<number>;
}

export interface EmailVerificationStore {
  /** Records that the user proved `email` at `verifiedAtMs` (idempotent: the first proof is kept). */
  markVerified(userId: string, email: string, verifiedAtMs: number): Promise<void>;
  /** The verified address and when, or null while unverified. */
  find(userId: string): Promise<{ email: string; verifiedAtMs: number } | null>;
}

export type EmailCodePurpose = 'login' | 'reauth';

/** The one live emailed code of an account: a new one replaces it. Only SHA-256(code) is stored. */
export interface EmailCodeRecord {
  userId: string;
  purpose: EmailCodePurpose;
  codeHash: Uint8Array;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface EmailCodeStore {
  /** Stores the account's code, replacing (voiding) any earlier one. */
  put(code: EmailCodeRecord): Promise<void>;
  find(userId: string): Promise<EmailCodeRecord | null>;
  /** Removes the code only if it is still the one with `codeHash`: false when another call used or replaced it. */
  consume(userId: string, codeHash: Uint8Array): Promise<boolean>;
  deleteExpired(nowMs: number): Promise<number>;
}

/** An account's TOTP authenticator. The secret is stored encrypted (it cannot be hashed). */
export interface TotpCredential {
  userId: string;
  /** Compact JWE (dir + A256GCM) of the base32 secret, under a key derived from the server secret. */
  secretJwe: string;
  createdAtMs: number;
  /** Null while enrolment waits for its first valid code: an unconfirmed credential protects nothing. */
  confirmedAtMs: number | null;
  /** The last time step accepted: no code at this step or an earlier one is accepted again. */
  lastUsedStep: number | null;
}

export interface TotpStore {
  /** Starts (or restarts) an enrolment: replaces an unconfirmed credential, never a confirmed one (false then). */
  putPending(credential: TotpCredential): Promise<boolean>;
  find(userId: string): Promise<TotpCredential | null>;
  /** Confirms a pending credential at `step` (the first valid code); false when it is not pending any more. */
  confirm(userId: string, confirmedAtMs: number, step: number): Promise<boolean>;
  /**
   * Records `step` as used, only if it is later than the last used step: false when this step (or a later
   * one) was already used, so a code is never accepted twice, even by two requests at once.
   */
  useStep(userId: string, step: number): Promise<boolean>;
  delete(userId: string): Promise<boolean>;
}

/** A single-use recovery code; only SHA-256 of the code is stored. */
export interface RecoveryCodeRecord {
  id: string;
  userId: string;
  codeHash: Uint8Array;
  createdAtMs: number;
  usedAtMs: number | null;
}

export interface RecoveryCodeStore {
  /** Replaces every code of the user with `codes`. */
  replace(userId: string, codes: readonly RecoveryCodeRecord[]): Promise<void>;
  listByUser(userId: string): Promise<RecoveryCodeRecord[]>;
  /** Marks one code used, only if still unused: false when another call won. */
  consume(id: string, usedAtMs: number): Promise<boolean>;
  deleteByUser(userId: string): Promise<number>;
}

/** What a mail is for: shown in logs and the dev outbox instead of its content. */
export type MailKind =
  | 'verify_email'
  | 'password_reset'
  | 'signup_existing_account'
  | 'reset_unknown_account'
  | 'email_code'
  | 'password_changed'
  | 'two_factor_changed';

/** One rendered mail. Its text carries links and codes: it is never logged. */
export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Hands a mail over for delivery without waiting for it: no HTTP answer depends on whether,
 * or how fast, a mail goes out, so the answer cannot tell whether an account exists.
 */
export interface MailOutbox {
  enqueue(message: MailMessage): void;
}

/** Everything the domain stores, with an all-or-nothing transaction over it. */
export interface Store {
  users: UserStore;
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
  /** Runs `work` atomically: every write inside commits together, or none does. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /** Resolves when the backing service answers; used by /readyz. */
  ping(): Promise<void>;
  /** What /readyz shows about the backing services (a connection pool's use), when the adapter has something to say. */
  describe?(): Record<string, unknown>;
  close(): Promise<void>;
}
