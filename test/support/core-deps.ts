import { loadCommonPasswords } from '../../src/config/common-passwords.ts';
import type { PasswordPolicy } from '../../src/core/accounts/password-policy.ts';
import { systemRandom } from '../../src/core/clock.ts';
import { createArgon2idHasher, owaspMinimumArgon2id, type PasswordHasher } from '../../src/core/credentials/argon2id.ts';
import type { AccountSecurityPolicy, CoreDeps, RequestContext, SessionPolicy } from '../../src/core/deps.ts';
import type { Clock, MailMessage, MailOutbox, SessionWithUser, User } from '../../src/core/ports.ts';
import { randomId } from '../../src/core/sessions/session-token.ts';
import { startSession, type StartedSession } from '../../src/core/sessions/start-session.ts';
import { createThrottle, type ThrottleRules } from '../../src/core/throttle/throttle.ts';
import { createMemoryStore } from '../../src/storage/memory/memory-store.ts';

/** A clock the test moves by hand: expiry and throttling are tested without sleeping. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

/** A fixed, arbitrary start (2025-01-01T00:00:00Z) so runs are reproducible. */
export const testEpochMs = Date.UTC(2025, 0, 1);

export function createManualClock(startMs: number = testEpochMs): ManualClock {
  let nowMs = startMs;
  return {
    nowMs: () => nowMs,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a test clock only moves forward, got ${ms}`);
      nowMs += ms;
    },
  };
}

/** The public URL mails link to in core tests (the HTTP tests' origin). */
export const testPublicUrl = 'https://auth.test';

const secondMs = 1000;
const hourMs = 60 * 60 * secondMs;
const dayMs = 24 * hourMs;

export const testSessionPolicy: SessionPolicy = Object.freeze({
  accessTokenTtlMs: 300_000,
  idleTimeoutMs: 7 * dayMs,
  absoluteTimeoutMs: 30 * dayMs,
  touchIntervalMs: 60_000,
  reauthWindowMs: 300_000,
  consoleIdleTimeoutMs: 900_000,
});

export const testThrottleRules: ThrottleRules = Object.freeze({
  account: Object.freeze({ freeFailures: 5, baseDelayMs: 1000, maxDelayMs: 900_000, resetAfterMs: 24 * hourMs }),
  ip: Object.freeze({ freeFailures: 20, baseDelayMs: 1000, maxDelayMs: 900_000, resetAfterMs: hourMs }),
  signupIp: Object.freeze({ freeFailures: 10, baseDelayMs: 10_000, maxDelayMs: 3_600_000, resetAfterMs: 24 * hourMs }),
  oauthStartIp: Object.freeze({ freeFailures: 60, baseDelayMs: 1000, maxDelayMs: 300_000, resetAfterMs: 10 * 60_000 }),
  authorizeIp: Object.freeze({ freeFailures: 300, baseDelayMs: 1000, maxDelayMs: 60_000, resetAfterMs: 10 * 60_000 }),
});

export { loadCommonPasswords };

export function createTestPasswordPolicy(): PasswordPolicy {
  return { minLength: 15, maxBytes: 512, commonPasswords: loadCommonPasswords() };
}

// One real argon2id hasher per process; hashes cost ~20-80 ms, so the dummy hash and
// seeded users' hashes are cached per hasher instead of recomputed for every test.
const defaultHasher = createArgon2idHasher(owaspMinimumArgon2id, systemRandom);
const hashCache = new WeakMap<PasswordHasher, Map<string, Promise<string>>>();

function cachedHash(hasher: PasswordHasher, password: string): Promise<string> {
  let byPassword = hashCache.get(hasher);
  if (byPassword === undefined) {
    byPassword = new Map();
    hashCache.set(hasher, byPassword);
  }
  let hash = byPassword.get(password);
  if (hash === undefined) {
    hash = hasher.hash(password);
    byPassword.set(password, hash);
  }
  return hash;
}

// The dummy password is random and never leaves this module, so nothing can match it.
const dummyPassword = randomId(systemRandom) + randomId(systemRandom);

/** Keeps every mail the core hands over, in order, for tests to read links and codes from. */
export interface RecordingOutbox extends MailOutbox {
  sent: MailMessage[];
  /** The last mail to `to`, or undefined. */
  lastTo(to: string): MailMessage | undefined;
}

/** Records every mail; with `forward`, also hands it on (to a real SMTP queue, in the mail tests). */
export function createRecordingOutbox(forward?: MailOutbox): RecordingOutbox {
  const sent: MailMessage[] = [];
  return {
    sent,
    enqueue: (message) => {
      sent.push(message);
      forward?.enqueue(message);
    },
    lastTo: (to) => sent.findLast((m) => m.to === to),
  };
}

/**
 * The account-security settings of tests: production-shaped, except that an unverified account
 * may log in (so tests about something else can sign up and log in without a mail round trip;
 * the verification tests switch it on).
 */
export const testAccountSecurityPolicy: AccountSecurityPolicy = Object.freeze({
  requireVerifiedEmail: false,
  verificationTtlMs: 24 * hourMs,
  resetTtlMs: 30 * 60 * secondMs,
  mailIntervalMs: 60 * secondMs,
  emailCodeDigits: 6,
  emailCodeTtlMs: 10 * 60 * secondMs,
  maxFailedCodeAttempts: 5,
});

export interface TestCore extends CoreDeps {
  clock: ManualClock;
  /** The outbox the core mails through (a recording one unless overridden). */
  outbox: RecordingOutbox;
}

export interface TestCoreOverrides extends Partial<Omit<CoreDeps, 'clock' | 'accountSecurity'>> {
  clock?: ManualClock;
  /** Overrides of the account-security policy (verification required, code digits...). */
  accountSecurityPolicy?: Partial<AccountSecurityPolicy>;
  /** Where mails go besides the recording outbox: a real SMTP queue in the mail tests. */
  forwardMailTo?: MailOutbox;
  /** Rules for the throttle built over the store (ignored when `throttle` itself is given). */
  throttleRules?: ThrottleRules;
}

/**
 * CoreDeps for tests: a fresh in-memory store, a manual clock, the real CSPRNG and the real
 * argon2id hasher at the OWASP minimum, the production-shaped password, session and throttle
 * policies. Anything can be overridden.
 *
 * @example
 * const core = await createTestCore();
 * await createAccount(core, { email: 'a@example.com', password: 'a long passphrase here' }, testContext);
 * core.clock.advance(8 * 24 * 60 * 60 * 1000);
 */
export async function createTestCore(overrides: TestCoreOverrides = {}): Promise<TestCore> {
  const { throttleRules = testThrottleRules, accountSecurityPolicy = {}, forwardMailTo, ...deps } = overrides;
  const outbox = createRecordingOutbox(forwardMailTo);
  const store = deps.store ?? createMemoryStore();
  const random = deps.random ?? systemRandom;
  const hasher = deps.hasher ?? defaultHasher;
  return {
    store,
    clock: deps.clock ?? createManualClock(),
    random,
    hasher,
    passwordPolicy: deps.passwordPolicy ?? createTestPasswordPolicy(),
    sessionPolicy: deps.sessionPolicy ?? { ...testSessionPolicy },
    throttle: deps.throttle ?? createThrottle(store.throttle, throttleRules, random.bytes(32)),
    dummyPasswordHash: deps.dummyPasswordHash ?? (await cachedHash(hasher, dummyPassword)),
    outbox,
    accountSecurity: {
      outbox,
      branding: { productName: 'Gatehouse', publicUrl: testPublicUrl },
      policy: { ...testAccountSecurityPolicy, ...accountSecurityPolicy },
      totpKeys: [new Uint8Array(32).fill(7)],
      pendingLoginKeys: [new Uint8Array(32).fill(6)],
      passkeyCeremonyKeys: [new Uint8Array(32).fill(7)],
      limiterKey: new Uint8Array(32).fill(5),
    },
    passkeys: deps.passkeys ?? { rpId: new URL(testPublicUrl).hostname, rpName: 'Gatehouse', origins: [testPublicUrl], attestation: 'none' },
  };
}

/** A request context for tests; pass another IP to act as another client. */
export function testContext(ip = '203.0.113.7', userAgent = 'node:test'): RequestContext {
  return { ip, userAgent };
}

/** A password that passes the policy: 28 code points, not on the list, not an email. */
export const testPassword = 'correct horse battery staple';

/**
 * Inserts an account straight into the store, with a cached hash of `password` under the
 * core's hasher: for tests about something else than account creation (one hash per file).
 */
export async function seedUser(
  core: CoreDeps,
  email: string,
  password: string = testPassword,
): Promise<User> {
  const nowMs = core.clock.nowMs();
  const user: User = {
    id: randomId(core.random),
    email,
    passwordHash: await cachedHash(core.hasher, password),
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    disabledAtMs: null,
  };
  if ((await core.store.users.create(user)) !== 'created') throw new Error(`seedUser: ${email} is taken`);
  return user;
}

/** A freshly logged-in session of `user` (amr pwd, authenticated now), as operations that need the current session take it. */
export async function signedIn(core: CoreDeps, user: User, context: RequestContext = testContext()): Promise<SessionWithUser> {
  const { session } = await seedSession(core, user.id, context);
  return { user, session };
}

/** Starts a session for `userId` straight through the domain's startSession, without a login (no hashing). */
export function seedSession(core: CoreDeps, userId: string, context: RequestContext = testContext()): Promise<StartedSession> {
  return core.store.transaction((tx) => startSession(core, tx, userId, context, { amr: ['pwd'] }));
}
