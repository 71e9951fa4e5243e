/** The storage ports of tokens: signing keys, refresh token families and the revocation feed. */

import type { SessionWithUser } from '../sessions/ports.ts';

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
  /**
   * Absent: a key of the access token ring. `id_token`: a key of the ID token ring of its
   * algorithm (RS256 by default; see key-ring.ts). Each ring sees only its own keys.
   */
  purpose?: 'id_token';
}

export interface SigningKeyStore {
  list(): Promise<SigningKeyRecord[]>;
  insert(key: SigningKeyRecord): Promise<void>;
  /**
   * A new install's first key: inserts it only if no key of its ring (its purpose, and for an
   * ID token key its algorithm) can sign at `nowMs`, atomically, so
   * instances starting together on an empty database agree on one key. True if inserted.
   */
  insertFirst(key: SigningKeyRecord, nowMs: number): Promise<boolean>;
  /** Marks a key retired: it signs nothing after `retiresAtMs` and leaves the JWKS at `expiresAtMs`. */
  retire(kid: string, retiresAtMs: number, expiresAtMs: number): Promise<void>;
  deleteExpired(nowMs: number): Promise<number>;
}

/**
 * The authentication an OpenID family's first ID token reported: every ID token issued on refresh
 * repeats it (OIDC Core 12.2: `auth_time` is the original authentication's, not the refresh's).
 */
export interface OpenIdLogin {
  authTimeMs: number;
  acr: string | null;
  amr: readonly string[];
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
  /**
   * RFC 9449 7: the JWK thumbprint (RFC 7638) of the DPoP key a public client's family is bound
   * to; every refresh must then carry a proof signed with that key. Null when not bound.
   */
  dpopJkt: string | null;
  /** An OpenID family (the code flow with `openid`): the login its ID tokens report; null otherwise. Copied to every successor. */
  openIdLogin: OpenIdLogin | null;
}

/** A refresh token with its session and the session's user, read together (`current` is null once the session is gone). */
export interface RefreshTokenWithSession {
  token: RefreshTokenRecord;
  current: SessionWithUser | null;
}

export interface RefreshTokenStore {
  insert(token: RefreshTokenRecord): Promise<void>;
  findById(id: string): Promise<RefreshTokenRecord | null>;
  /**
   * The token, its session and the session's user in one read (one statement on SQL): what the
   * refresh grant checks before it rotates. Null for an unknown token.
   */
  findWithSession(id: string): Promise<RefreshTokenWithSession | null>;
  /** Marks `id` used and points it at its successor, only if it is still unused: false when another call won. */
  markUsed(id: string, usedAtMs: number, successorId: string): Promise<boolean>;
  /**
   * A rotation as one step: marks `id` used, pointing at `successor`, and stores `successor`, only
   * if `id` is still unused; false, with nothing written, when another call won (or `id` is
   * unknown). Atomic and durable when it resolves, called inside a transaction or outside one:
   * outside, it is a transaction of its own (one statement on PostgreSQL, so the refresh grant
   * needs no BEGIN and COMMIT round trips; a group-committed transaction on SQLite).
   */
  rotate(id: string, usedAtMs: number, successor: RefreshTokenRecord): Promise<boolean>;
  /**
   * Deletes every token of the family; returns how many. `sessionId` is the family's session
   * (all its tokens share it): the tokens are found through the session's, so a rotation
   * writes no family index (migration 0026).
   */
  deleteFamily(sessionId: string, familyId: string): Promise<number>;
  /** Deletes every token issued to `clientId` under any of `sessionIds` (an app's access revoked by its user); returns how many. */
  deleteForClient(sessionIds: readonly string[], clientId: string): Promise<number>;
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

/**
 * Single-use records for proofs that must not be accepted twice: a DPoP proof's `jti`, a client
 * assertion's `jti`. Stored (not kept per process) so that every instance behind a load balancer
 * agrees that a replayed proof was seen. Keys are hashes the caller builds; a record lives only as
 * long as the proof it guards could still be accepted.
 */
export interface ReplayRecordStore {
  /** Records `key` until `expiresAtMs`, atomically: `seen` when a record with this key already exists. */
  remember(key: string, expiresAtMs: number): Promise<'new' | 'seen'>;
  deleteExpired(nowMs: number): Promise<number>;
}
