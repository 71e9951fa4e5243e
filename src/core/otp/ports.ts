/** The storage ports of second factors: emailed codes, TOTP and recovery codes. */

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
  /**
   * The session that started a pending enrolment: only that session sees its key and may confirm
   * it (docs/security.md SEC-105). Null once confirmed.
   */
  enrolmentSessionId: string | null;
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
