/** The read-only queries of the operator console, each a narrow port with a keyset cursor where it pages. */

import type { User } from '../accounts/ports.ts';
import type { AuditEvent } from '../audit/ports.ts';
import type { ThrottleState } from '../throttle/ports.ts';

export interface UserDirectory {
  /**
   * Users whose (normalized) email starts with `emailPrefix` ('' for everyone), ordered by
   * email, after `afterEmail` when given: keyset paging, so page 1,000 costs what page 1 does.
   */
  search(options: { emailPrefix: string; afterEmail?: string; limit: number }): Promise<User[]>;
  count(): Promise<number>;
}

export interface SessionCensus {
  /** Sessions neither past their absolute limit nor idle for `idleTimeoutMs` at `nowMs`. */
  countActive(nowMs: number, idleTimeoutMs: number): Promise<number>;
}

/** What the console filters the audit trail by; every field optional, all given ones must hold. */
export interface AuditFilter {
  userId?: string;
  type?: string;
  ip?: string;
  /** Inclusive. */
  fromMs?: number;
  /** Exclusive. */
  toMs?: number;
}

/** Where a page of the audit trail (newest first) ended: the next page starts after this entry. */
export interface AuditCursor {
  atMs: number;
  id: string;
}

export interface AuditSearch {
  /** Entries matching `filter`, newest first (ties by id), strictly after `after` when given. */
  page(filter: AuditFilter, options: { after?: AuditCursor; limit: number }): Promise<AuditEvent[]>;
  /** How many entries of each of `types` there are from `sinceMs` on (a type with none is 0). */
  countByType(types: readonly string[], sinceMs: number): Promise<Record<string, number>>;
}

export interface ThrottleCensus {
  /**
   * The failure counters whose key starts with `keyPrefix` (`account:`), with at least
   * `minFailures` failures, the last at or after `sinceMs`: the candidates for a lock, at most `limit`.
   */
  counters(options: { keyPrefix: string; minFailures: number; sinceMs: number; limit: number }): Promise<ThrottleState[]>;
}

/** The console's changes to a registered client, beyond create and delete (core/clients/ports.ts). */
export interface ClientMaintenance {
  /** Replaces both lists; false when there is no such client. */
  setRedirectUris(clientId: string, redirectUris: readonly string[], postLogoutRedirectUris: readonly string[]): Promise<boolean>;
  /** Replaces the secret's hash (a rotation); false when there is no such client. */
  setSecretHash(clientId: string, secretHash: string): Promise<boolean>;
  /**
   * Holds a client registered before migration 0020 to exactly its registered secret method
   * (clears `acceptsEitherSecretMethod`); false when there is no such client.
   */
  enforceAuthMethod(clientId: string): Promise<boolean>;
}
