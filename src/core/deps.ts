import type { PasswordPolicy } from './accounts/password-policy.ts';
import type { PasswordHasher } from './credentials/argon2id.ts';
import type { MailBranding } from './mail/render-mail.ts';
import type { Clock, MailOutbox, Random, Store } from './ports.ts';
import type { PasskeyPolicy } from './passkeys/passkey-policy.ts';
import type { Throttle } from './throttle/throttle.ts';
import type { TraceRecorder } from './trace/ports.ts';

export interface SessionPolicy {
  /** A session unused for this long ends (ASVS 7.3.1). */
  idleTimeoutMs: number;
  /** A session ends this long after login, however active (ASVS 7.3.2). */
  absoluteTimeoutMs: number;
  /** `last_seen` is written at most this often per session, not on every request. */
  touchIntervalMs: number;
  /**
   * A login or re-authentication this recent lets the session make sensitive changes without
   * asking again (docs/security.md SEC-100). Default 5 minutes.
   */
  reauthWindowMs: number;
  /**
   * The operator console locks after this long without a console request (docs/security.md
   * SEC-274); the next one needs a re-authentication. Default 15 minutes.
   */
  consoleIdleTimeoutMs: number;
  /**
   * The longest an access token lives. A session's revocation entry is kept this long, so every
   * verifier refuses its tokens until the last one has expired anyway.
   */
  accessTokenTtlMs: number;
}

/** Email verification, password reset and one-time codes. */
export interface AccountSecurityPolicy {
  /** Logins are refused until the address is verified. */
  requireVerifiedEmail: boolean;
  verificationTtlMs: number;
  resetTtlMs: number;
  /** At most one verification, reset or code mail per address per interval (and 10 a day). */
  mailIntervalMs: number;
  emailCodeDigits: number;
  emailCodeTtlMs: number;
  /** Wrong one-time codes per account before waits start (they double from 1 minute to 1 hour). */
  maxFailedCodeAttempts: number;
}

/** What the mail and second-factor operations need beyond the core. */
export interface AccountSecurityDeps {
  outbox: MailOutbox;
  branding: MailBranding;
  policy: AccountSecurityPolicy;
  /** Keys that encrypt TOTP secrets at rest (JWE dir + A256GCM); the first encrypts, all decrypt. */
  totpKeys: readonly Uint8Array[];
  /** Keys of the pending-login token (JWE dir + A256GCM) between the password and the second step. */
  pendingLoginKeys: readonly Uint8Array[];
  /**
   * HMAC keys of passkey ceremony tokens (core/passkeys/ceremony.ts), one per server secret: the
   * first signs, all verify, so a rotated secret does not break a ceremony in progress.
   */
  passkeyCeremonyKeys: readonly Uint8Array[];
  /** HMAC key for the throttle keys of mail and code limits, so that table lists no addresses. */
  limiterKey: Uint8Array;
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
  accountSecurity: AccountSecurityDeps;
  /** WebAuthn relying party: RP ID, allowed origins, attestation. */
  passkeys: PasskeyPolicy;
  /**
   * Where operations record their steps for the inspector (core/trace/ports.ts): `noTrace` when
   * it is off. Absent only in tests and the bench's "not wired" baseline.
   */
  trace?: TraceRecorder;
}

/** Who is asking: recorded on sessions (the device) and in the audit trail. */
export interface RequestContext {
  ip: string;
  userAgent: string;
  /** The operator acting on someone else's account from the console (recorded in the audit trail). */
  actorId?: string;
}
