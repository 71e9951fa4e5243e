/** The storage ports of social login: linked identities and flows in progress. */

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
