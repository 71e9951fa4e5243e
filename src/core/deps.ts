import type { PasswordPolicy } from './accounts/password-policy.ts';
import type { PasswordHasher } from './credentials/argon2id.ts';
import type { Clock, Random, Store } from './ports.ts';
import type { Throttle } from './throttle/throttle.ts';

export interface SessionPolicy {
  /** A session unused for this long ends (ASVS 7.3.1). */
  idleTimeoutMs: number;
  /** A session ends this long after login, however active (ASVS 7.3.2). */
  absoluteTimeoutMs: number;
  /** `last_seen` is written at most this often per session, not on every request. */
  touchIntervalMs: number;
  /**
   * The longest an access token lives. A session's revocation entry is kept this long, so every
   * verifier refuses its tokens until the last one has expired anyway.
   */
  accessTokenTtlMs: number;
}

/** Everything an operation needs. Built once by main.ts (or a test) and passed in. */
export interface CoreDeps {
  store: Store;
  clock: Clock;
  random: Random;
  hasher: PasswordHasher;
  passwordPolicy: PasswordPolicy;
  sessionPolicy: SessionPolicy;
  throttle: Throttle;
  /** A hash of a random password under the current parameters, verified when the email is unknown so both paths cost one hash. */
  dummyPasswordHash: string;
}

/** Who is asking: recorded on sessions (the device) and in the audit trail. */
export interface RequestContext {
  ip: string;
  userAgent: string;
}
