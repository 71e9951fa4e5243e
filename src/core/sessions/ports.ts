/** The storage port of server sessions. */

import type { User } from '../accounts/ports.ts';

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
  /**
   * When the user last proved who they are in this session: at login, and again at each
   * re-authentication. Sensitive changes need it to be recent (core/sessions/recent-authentication.ts).
   */
  authTimeMs: number;
  /**
   * How (RFC 8176 values, see core/sessions/authentication-methods.ts): `pwd`, `otp`, `fed`, and
   * `mfa` when two different factors were used. Empty for sessions made before it was recorded.
   */
  amr: readonly string[];
}

export interface SessionWithUser {
  session: Session;
  user: User;
}

export interface SessionStore {
  create(session: Session): Promise<void>;
  /** The hot path: one lookup by primary key, joined with the user. */
  findWithUser(id: string): Promise<SessionWithUser | null>;
  touch(id: string, lastSeenAtMs: number): Promise<void>;
  /** Records a re-authentication: the session's `authTimeMs` and `amr` become these. */
  recordAuthentication(id: string, authTimeMs: number, amr: readonly string[]): Promise<void>;
  listByUser(userId: string): Promise<Session[]>;
  delete(id: string): Promise<boolean>;
  /** Deletes every session of the user except `exceptId`; returns the ids deleted. */
  deleteByUser(userId: string, exceptId?: string): Promise<string[]>;
  /** Housekeeping: removes sessions whose absolute or idle limit has passed. */
  deleteExpired(nowMs: number, idleTimeoutMs: number): Promise<number>;
  /** Up to `limit` ids of sessions whose absolute or idle limit has passed, for housekeeping to end them one by one. */
  listExpired(nowMs: number, idleTimeoutMs: number, limit: number): Promise<string[]>;
}
