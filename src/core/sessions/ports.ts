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
  listByUser(userId: string): Promise<Session[]>;
  delete(id: string): Promise<boolean>;
  /** Deletes every session of the user except `exceptId`; returns the ids deleted. */
  deleteByUser(userId: string, exceptId?: string): Promise<string[]>;
  /** Housekeeping: removes sessions whose absolute or idle limit has passed. */
  deleteExpired(nowMs: number, idleTimeoutMs: number): Promise<number>;
}
