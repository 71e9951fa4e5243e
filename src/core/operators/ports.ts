/** The storage ports of operators: who may use the console at /admin, and each console session's last use. */

export interface Operator {
  userId: string;
  email: string;
  sinceMs: number;
}

export interface OperatorStore {
  /** Makes the user an operator from `sinceMs` (keeping an earlier grant), or not (null). False when there is no such user. */
  setOperatorSince(userId: string, sinceMs: number | null): Promise<boolean>;
  /** When the user became an operator, or null for a user who is not one (or does not exist). */
  operatorSince(userId: string): Promise<number | null>;
  /** Every operator, by email. */
  list(): Promise<Operator[]>;
}

export interface ConsoleActivityStore {
  /** The session's last console request, or null when it made none (or no longer exists). */
  lastUse(sessionId: string): Promise<number | null>;
  /** Records a console request of the session at `atMs` (nothing for a session that no longer exists). */
  recordUse(sessionId: string, atMs: number): Promise<void>;
}
