/** The storage ports of accounts: users, link tokens (verification, reset) and verified addresses. */

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

export interface UserStore {
  /** Inserts the user; an existing email is an expected outcome, not an exception. */
  create(user: User): Promise<'created' | 'email_taken'>;
  findById(id: string): Promise<User | null>;
  /**
   * `findById` that, inside a transaction, also holds the user's row until the transaction ends
   * (PostgreSQL `SELECT ... FOR NO KEY UPDATE`; SQLite and the memory store run one writing
   * transaction at a time anyway). Two transactions that check the account's ways in and then remove one
   * (a passkey, a linked identity) lock it first, so they run one after the other: at READ
   * COMMITTED each would otherwise count the other's row as still there (docs/security.md SEC-165).
   */
  lockForUpdate(id: string): Promise<User | null>;
  findByEmail(email: string): Promise<User | null>;
  updatePasswordHash(id: string, passwordHash: string, nowMs: number): Promise<void>;
  /** Gives the user a new (normalized) address; one that another account has is an expected outcome. */
  updateEmail(id: string, email: string, nowMs: number): Promise<'updated' | 'email_taken'>;
  setDisabledAt(id: string, disabledAtMs: number | null, nowMs: number): Promise<boolean>;
  /** Removes the user and, with them, every session. */
  delete(id: string): Promise<boolean>;
  list(options: { limit: number; afterEmail?: string }): Promise<User[]>;
}

/**
 * What a user says about themselves, for the OpenID `profile` scope (core/accounts/user-claims.ts).
 * Every field is optional; null means "not given". Validated by core/accounts/profile-input.ts.
 */
export interface UserProfile {
  userId: string;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  /** An https URL (no credentials in it). */
  picture: string | null;
  /** A BCP 47 language tag, canonical form (`en-US`). */
  locale: string | null;
  updatedAtMs: number;
}

export interface UserProfileStore {
  /** The profile, or null when the user never saved one. */
  find(userId: string): Promise<UserProfile | null>;
  /** Inserts or replaces the whole profile of `profile.userId` (the user must exist). */
  put(profile: UserProfile): Promise<void>;
}

export type OneTimeTokenPurpose = 'verify_email' | 'password_reset' | 'pending_login' | 'change_email';

/** A link token (email verification, password reset): `id.secret`, only SHA-256(secret) stored. Also the single-use record of a pending login (core/credentials/pending-login.ts). */
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
  /** Records `email` as the user's verified address, replacing an earlier proof (a confirmed change of address). */
  replaceVerified(userId: string, email: string, verifiedAtMs: number): Promise<void>;
  /** The verified address and when, or null while unverified. */
  find(userId: string): Promise<{ email: string; verifiedAtMs: number } | null>;
}
