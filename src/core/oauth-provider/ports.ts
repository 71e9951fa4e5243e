/** The storage ports of the OpenID Provider: pending authorization requests, codes, consents, and which apps a session reached. */

/** The standard claims an authorization request asked for individually (`claims`, OIDC Core §5.5; claims-request.ts). */
export interface ClaimsRequest {
  /** Claims for the ID token, in the order asked. */
  idToken: string[];
  /** Claims for the UserInfo answer. */
  userinfo: string[];
  /** `sub` asked with a value: the request may be answered only for that user (OIDC Core §5.5.1). */
  subject: string | null;
  /** `acr` asked in the ID token as essential, with the levels that will do (§5.5.1.1). */
  essentialAcr: string[] | null;
}

/** The parameters of an authorization request, once checked (see parse-authorization-request.ts). */
export interface AuthorizationParams {
  clientId: string;
  /** Matched exactly against one the client registered. */
  redirectUri: string;
  /** Space-separated, only scopes the client may ask for, in the order asked. */
  scope: string;
  state: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  responseMode: 'query' | 'form_post';
  prompt: Array<'none' | 'login' | 'consent'>;
  maxAgeSeconds: number | null;
  loginHint: string | null;
  idTokenHint: string | null;
  uiLocales: string | null;
  acrValues: string | null;
  /**
   * Claims asked for in the ID token through the `claims` parameter, released when the user has
   * them and the granted scopes cover them. Absent when none were asked (and for requests that
   * were waiting before the parameter was supported).
   */
  idTokenClaims?: string[];
  /** The `claims` parameter's `sub` value: the only user this request may be answered for. Absent when not asked. */
  subject?: string;
  /** The `claims` parameter's essential `acr` values: the login must have reached one of them. Absent when not asked. */
  essentialAcr?: string[];
  /** RFC 9449 §10: the JWK thumbprint of the DPoP key the code is bound to (`dpop_jkt`, or a pushed request's DPoP proof). Absent when not bound. */
  dpopJkt?: string;
}

/**
 * An authorization request waiting for the user (login, then consent), kept server-side so the
 * browser carries only its opaque id through the login pages, never the request itself.
 */
export interface PendingAuthorization {
  /** 128 random bits; not a credential: resuming it still needs the user's own session. */
  id: string;
  params: AuthorizationParams;
  /** When the login this request asked for (prompt=login, max_age) must have happened after; null when any login will do. */
  loginAfterMs: number | null;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface PendingAuthorizationStore {
  insert(request: PendingAuthorization): Promise<void>;
  find(id: string): Promise<PendingAuthorization | null>;
  /** Removes it; true if it was there (single use: of two calls, one gets true). */
  delete(id: string): Promise<boolean>;
  deleteExpired(nowMs: number): Promise<number>;
}

/** An authorization code. Only the SHA-256 of the code is stored. */
export interface AuthorizationCodeRecord {
  codeHash: Uint8Array;
  clientId: string;
  userId: string;
  sessionId: string;
  redirectUri: string;
  scope: string;
  nonce: string | null;
  /** S256 challenge (base64url), or null when the request was an OpenID request with a nonce and no PKCE. */
  codeChallenge: string | null;
  authTimeMs: number;
  amr: string[];
  acr: string | null;
  /** Claims the request asked for in the ID token (`claims` parameter); empty when none. */
  idTokenClaims: string[];
  /** RFC 9449 §10: the exchange needs a DPoP proof by this key (JWK thumbprint); null when not bound. */
  dpopJkt: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  /** Set at the first exchange; a second exchange finds it set and revokes what the first one issued. */
  usedAtMs: number | null;
  /** What the first exchange issued, for that revocation. */
  refreshFamilyId: string | null;
  accessTokenJti: string | null;
  accessTokenExpiresAtMs: number | null;
}

/** What the first exchange of a code issues, recorded when the code is spent. */
export interface CodeExchangeIssue {
  refreshFamilyId: string | null;
  accessTokenJti: string;
  accessTokenExpiresAtMs: number;
}

export interface AuthorizationCodeStore {
  insert(code: AuthorizationCodeRecord): Promise<void>;
  findByHash(codeHash: Uint8Array): Promise<AuthorizationCodeRecord | null>;
  /**
   * Spends the code, only if it is still unused, and records in the same write what this
   * exchange issues (so a second use can revoke it): false when another exchange won.
   */
  consume(codeHash: Uint8Array, usedAtMs: number, issued: CodeExchangeIssue): Promise<boolean>;
  /** Drops codes whose record is no longer needed (`keepUntilMs` <= now); see authorization-code.ts. */
  deleteExpired(nowMs: number): Promise<number>;
}

/** What a user allowed an app: remembered per (user, client), asked again only for new scopes. */
export interface Consent {
  userId: string;
  clientId: string;
  scopes: string[];
  grantedAtMs: number;
  updatedAtMs: number;
}

export interface ConsentStore {
  find(userId: string, clientId: string): Promise<Consent | null>;
  /** Inserts or replaces the (user, client) consent. */
  upsert(consent: Consent): Promise<void>;
  listByUser(userId: string): Promise<Consent[]>;
  /** True if there was one. */
  delete(userId: string, clientId: string): Promise<boolean>;
}

/**
 * An app that was issued tokens under a Gatehouse session (`sid`): the list back-channel logout
 * walks when the session ends.
 */
export interface SessionClient {
  sessionId: string;
  clientId: string;
  userId: string;
  firstIssuedAtMs: number;
  lastIssuedAtMs: number;
  /** The session's own expiry: the row is useless after it. */
  expiresAtMs: number;
}

/**
 * `lastIssuedAtMs` is refreshed when it is at least this much older than a new issue: an app
 * that exchanges codes all day under one session does not rewrite its row every time.
 */
export const sessionClientRefreshMs = 60_000;

export interface SessionClientStore {
  /**
   * Records the pair; when it is already recorded, refreshes `lastIssuedAtMs` only when the
   * stored one is `sessionClientRefreshMs` or more older (else nothing is written).
   */
  record(entry: SessionClient): Promise<void>;
  /** Every client issued tokens under this session, oldest first. */
  listClientsForSession(sessionId: string): Promise<SessionClient[]>;
  deleteExpired(nowMs: number): Promise<number>;
}

/**
 * A pushed authorization request (RFC 9126): the parameters a client sent, authenticated, to the
 * PAR endpoint, waiting for the browser to arrive with their `request_uri`. Only the SHA-256 of
 * the request_uri's random part is stored; single use, 60 seconds.
 */
export interface PushedAuthorizationRequest {
  idHash: Uint8Array;
  clientId: string;
  /** The authorization request parameters, as sent (name to value). */
  params: Record<string, string>;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface PushedAuthorizationRequestStore {
  insert(request: PushedAuthorizationRequest): Promise<void>;
  /** Deletes and returns it in one step: of two uses of one request_uri, only one gets it. */
  take(idHash: Uint8Array): Promise<PushedAuthorizationRequest | null>;
  deleteExpired(nowMs: number): Promise<number>;
}
