import { hkdfSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pino, type Logger, type LoggerOptions } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createArgon2idHasher, nodeRsArgon2id } from './core/credentials/argon2id.ts';
import { withHashSlots } from './core/credentials/hash-slots.ts';
import { systemClock, systemRandom } from './core/clock.ts';
import type { AccountSecurityDeps, CoreDeps } from './core/deps.ts';
import type { Clock, MailOutbox, Store } from './core/ports.ts';
import type { Mailer } from './mail/create-mailer.ts';
import { createThrottle, type ThrottleRule } from './core/throttle/throttle.ts';
import type { GatehouseConfig, RateRuleConfig } from './config/load-config.ts';
import { createKeyRing } from './core/tokens/key-ring.ts';
import { createIdTokenKeys } from './core/tokens/id-token-keys.ts';
import type { PasskeyPolicy } from './core/passkeys/passkey-policy.ts';
import { deriveKeyEncryptionKeys } from './core/tokens/key-encryption.ts';
import type { TokenDeps } from './core/tokens/issue-access-token.ts';
import { commonPasswordsOnFirstUse } from './config/common-passwords.ts';
import { openSqliteStore } from './storage/sql/sqlite.ts';
import { connectProvider, type OAuthProvider } from './core/oauth-client/connect-provider.ts';
import type { OAuthDeps } from './core/oauth-client/oauth-deps.ts';
import { deriveProviderTokenKeys } from './core/oauth-client/provider-tokens.ts';
import { migrateToLatest, type MigrationReport } from './storage/sql/migrate.ts';
import { withSessionCache } from './storage/session-cache.ts';
import { housekeep } from './housekeeping.ts';
import { startOutbox, type Outbox } from './delivery/outbox.ts';
import { backchannelLogoutKind } from './core/logout/backchannel-logout-kind.ts';
import { backchannelLogoutKindName } from './core/logout/enqueue-backchannel-logouts.ts';
import { createClientJwksSource } from './delivery/client-jwks-source.ts';
import { noTrace, type TraceRecorder } from './core/trace/ports.ts';
import { webhookKind, withWebhookEvents } from './core/webhooks/with-webhook-events.ts';
import { webhookDeliveryKind } from './core/webhooks/webhook-delivery-kind.ts';
import { webhookKeys } from './core/webhooks/webhook-secret.ts';
import { createTraceLog } from './core/trace/trace-log.ts';
import { tracedStore } from './core/trace/traced-store.ts';
import type { RequestRecorder } from './http/inspector/request-recorder.ts';
import type { InspectorAudience } from './http/inspector/inspector-access.ts';

/** The composition root: the only place (with the CLI) that picks concrete adapters. */

function rule(config: RateRuleConfig): ThrottleRule {
  return {
    freeFailures: config.freeFailures,
    baseDelayMs: config.baseDelaySeconds * 1000,
    maxDelayMs: config.maxDelaySeconds * 1000,
    resetAfterMs: config.resetAfterSeconds * 1000,
  };
}

/**
 * Logs (pino) to stdout, or to `destination` (tests capture them there): one JSON object a line
 * in production, for log collectors; in dev mode short human lines through pino-pretty
 * (`12:04:31 INFO: GET /account 200 4 ms`, pino-pretty required only then), so the banner is not buried in JSON.
 */
export function createLogger(config: Pick<GatehouseConfig, 'logLevel'> & Partial<Pick<GatehouseConfig, 'dev'>>, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level: config.logLevel,
    // Belt and braces: request logs carry no headers or bodies, but nothing secret is ever printed.
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        'password',
        '*.password',
        '*.currentPassword',
        '*.newPassword',
        'token',
        '*.token',
        'secret',
        '*.secret',
        'secrets',
        '*.secrets',
      ],
      censor: '[redacted]',
    },
    serializers: {
      // Log the path only: query strings may carry one-time tokens.
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: req.url.split('?')[0], ip: req.ip }),
    },
  };
  if (config.dev === true) {
    const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    const pretty = pinoPretty({
      // Colours only on the terminal (pino-pretty checks it supports them); never into a captured stream.
      ...(destination === undefined ? {} : { destination, colorize: false }),
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,reqId',
      singleLine: true,
      sync: true,
    });
    return pino(options, pretty);
  }
  return destination === undefined ? pino(options) : pino(options, destination);
}

/** Keys, policy and branding of the mail and one-time-code operations. */
/** The WebAuthn relying party: the public URL's host unless configured; the public URL and the configured origins. */
export function passkeyPolicy(config: GatehouseConfig): PasskeyPolicy {
  return {
    rpId: config.passkeys.rpId === '' ? new URL(config.publicUrl).hostname : config.passkeys.rpId,
    rpName: config.mail.productName,
    origins: [...new Set([config.publicUrl, ...config.passkeys.origins])],
    attestation: config.passkeys.attestation,
  };
}

export function createAccountSecurityDeps(config: GatehouseConfig, outbox: MailOutbox): AccountSecurityDeps {
  const derive = (secret: string, info: string): Uint8Array => new Uint8Array(hkdfSync('sha256', secret, 'gatehouse', info, 32));
  return {
    outbox,
    branding: { productName: config.mail.productName, publicUrl: config.publicUrl },
    policy: {
      requireVerifiedEmail: config.account.requireVerifiedEmail,
      verificationTtlMs: config.account.verificationTtlSeconds * 1000,
      resetTtlMs: config.account.resetTtlSeconds * 1000,
      mailIntervalMs: config.account.mailIntervalSeconds * 1000,
      emailCodeDigits: config.otp.emailCodeDigits,
      emailCodeTtlMs: config.otp.emailCodeTtlSeconds * 1000,
      maxFailedCodeAttempts: config.otp.maxFailedAttempts,
    },
    totpKeys: config.secrets.map((secret) => derive(secret, 'totp-secret-encryption v1')),
    pendingLoginKeys: config.secrets.map((secret) => derive(secret, 'pending-login v1')),
    passkeyCeremonyKeys: config.secrets.map((secret) => derive(secret, 'passkey-ceremony v1')),
    limiterKey: derive(config.secrets[0] as string, 'mail-and-code-limiter v1'),
  };
}

/** Mail is not sent from the CLI: its operations need none, and a stray one is reported, not lost silently. */
const cliOutbox: MailOutbox = {
  enqueue: (message) => process.stderr.write(`gatehouse: a ${message.kind} mail was not sent (the CLI sends no mail)\n`),
};

export async function createCoreDeps(config: GatehouseConfig, store: Store, clock: Clock = systemClock, outbox: MailOutbox = cliOutbox, trace: TraceRecorder = noTrace): Promise<CoreDeps> {
  const hasher = createArgon2idHasher(config.password.argon2, systemRandom, withHashSlots(nodeRsArgon2id, availableParallelism()));
  // Started first: the hash runs on the thread pool while the password lists load.
  const dummyPasswordHash = hasher.hash(Buffer.from(systemRandom.bytes(24)).toString('base64url'));
  const secret = Buffer.from(config.secrets[0] as string, 'utf8');
  return {
    store,
    clock,
    random: systemRandom,
    hasher,
    passwordPolicy: { minLength: config.password.minLength, maxBytes: config.password.maxBytes, commonPasswords: commonPasswordsOnFirstUse },
    sessionPolicy: {
      idleTimeoutMs: config.session.idleTimeoutSeconds * 1000,
      absoluteTimeoutMs: config.session.absoluteTimeoutSeconds * 1000,
      touchIntervalMs: config.session.touchIntervalSeconds * 1000,
      reauthWindowMs: config.session.reauthWindowSeconds * 1000,
      consoleIdleTimeoutMs: config.session.consoleIdleTimeoutSeconds * 1000,
      accessTokenTtlMs: config.token.accessTokenTtlSeconds * 1000,
    },
    throttle: createThrottle(
      store.throttle,
      { account: rule(config.rateLimit.account), ip: rule(config.rateLimit.ip), signupIp: rule(config.rateLimit.signupIp), oauthStartIp: rule(config.rateLimit.oauthStartIp), authorizeIp: rule(config.rateLimit.authorizeIp) },
      secret,
      trace,
    ),
    dummyPasswordHash: await dummyPasswordHash,
    accountSecurity: createAccountSecurityDeps(config, outbox),
    passkeys: passkeyPolicy(config),
    trace,
  };
}

/** JWT mode: the key ring over the store, with the issuer and token lifetime. */
export function createTokenDeps(config: GatehouseConfig, store: Store, clock: Clock = systemClock): TokenDeps {
  const accessTokenTtlMs = config.token.accessTokenTtlSeconds * 1000;
  const ringOptions = { store: store.signingKeys, clock, encryptionKeys: deriveKeyEncryptionKeys(config.secrets), accessTokenTtlMs, publishAheadMs: config.token.keyPublishAheadSeconds * 1000 };
  const keyRing = createKeyRing({ ...ringOptions, algorithm: config.token.algorithm });
  return {
    keyRing,
    idTokenKeys: createIdTokenKeys(ringOptions, keyRing),
    clock,
    random: systemRandom,
    issuer: config.publicUrl,
    accessTokenTtlMs,
    refreshPolicy: {
      idleTtlMs: config.token.refreshIdleTtlSeconds * 1000,
      absoluteTtlMs: config.token.refreshAbsoluteTtlSeconds * 1000,
      reuseGraceMs: config.token.refreshReuseGraceSeconds * 1000,
    },
    rotationKey: new Uint8Array(hkdfSync('sha256', config.secrets[0] as string, 'gatehouse', 'refresh-token-rotation v1', 32)),
    passwordGrantEnabled: config.token.passwordGrant,
    // private_key_jwt keys at a jwks_uri: fetched under the same address policy as webhooks.
    clientJwks: createClientJwksSource({
      allowedNetworks: config.dev ? ['loopback', ...config.delivery.allowedNetworks] : config.delivery.allowedNetworks,
      timeoutMs: 5_000,
      maxBytes: 64 * 1024,
      maxKeySets: 1_000,
    }),
  };
}

/**
 * Social login: connects every configured provider (discovery) before the server listens, so a
 * misconfigured or unreachable provider stops start-up with its name and the reason.
 */
export async function createOAuthDeps(config: GatehouseConfig): Promise<OAuthDeps> {
  const providers = new Map<string, OAuthProvider>();
  const connected = await Promise.all(
    config.oauth.providers.map((provider) => connectProvider(provider, { plainHttp: config.dev ? 'allow-loopback' : 'https-only' })),
  );
  for (const provider of connected) providers.set(provider.config.id, provider);
  return {
    providers,
    publicUrl: config.publicUrl,
    flowKey: new Uint8Array(hkdfSync('sha256', config.secrets[0] as string, 'gatehouse', 'oauth-flow v1', 32)),
    flowTtlMs: 10 * 60 * 1000,
    linkByEmail: config.oauth.linkVerifiedEmails ? 'verified-email' : 'never',
    providerTokenKeys: config.oauth.keepProviderTokens ? deriveProviderTokenKeys(config.secrets) : null,
  };
}

/** A store opened from the configuration, with the migration command for `gatehouse migrate`. */
export type OpenedStore = Store & {
  migrate(): Promise<MigrationReport>;
  /** SQLite only: moves when another process commits to the file (see storage/sql/sqlite.ts). */
  externalWrites?: () => number;
};

/**
 * The database the configuration names: PostgreSQL for a `postgres://` URL, the SQLite file
 * otherwise. The only place (with the CLI, which calls it) that picks the storage adapter.
 */
export async function openStore(
  config: Pick<GatehouseConfig, 'database' | 'postgres'>,
  options: { migrate: 'on-open' | 'never'; checkpoints?: 'automatic' | 'worker' },
  logger?: Logger,
): Promise<OpenedStore> {
  const opened = await openAdapter(config, options, logger);
  // Webhooks are written beside the events they report, whichever command (server or CLI) writes them.
  return { ...opened, ...withWebhookEvents(opened, systemRandom, systemClock) };
}

async function openAdapter(
  config: Pick<GatehouseConfig, 'database' | 'postgres'>,
  options: { migrate: 'on-open' | 'never'; checkpoints?: 'automatic' | 'worker' },
  logger?: Logger,
): Promise<OpenedStore> {
  // pg and ioredis are loaded only when configured: an SQLite install (and every CLI run on it) starts faster.
  if (/^postgres(ql)?:\/\//i.test(config.database)) {
    const { openPostgresStore } = await import('./storage/sql/postgres.ts');
    return openPostgresStore(config.database, {
      migrate: options.migrate,
      pool: config.postgres,
      onConnectionError: (error) => logger?.warn({ err: error }, 'PostgreSQL dropped an idle connection; the pool opens new ones on demand'),
    });
  }
  const store = await openSqliteStore(config.database, options);
  return Object.assign(store, { migrate: () => migrateToLatest(store.db) });
}

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`, for banners and logs. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

export interface Gatehouse {
  app: FastifyInstance;
  store: Store;
  deps: CoreDeps;
  tokens: TokenDeps;
  oauth: OAuthDeps;
  logger: Logger;
  mailer: Mailer;
  /** Webhooks and back-channel logout: register a kind in `outbox.kinds`, enqueue on `store.deliveries`. */
  outbox: Outbox;
  close(): Promise<void>;
}

/** The inspector's recorder over a bounded trace log; loaded only when the inspector is on. */
async function createInspector(config: Pick<GatehouseConfig, 'inspector'>, clock: Clock): Promise<{ recorder: RequestRecorder; audience: InspectorAudience }> {
  const { createRequestRecorder } = await import('./http/inspector/request-recorder.ts');
  return { recorder: createRequestRecorder(createTraceLog(clock)), audience: config.inspector === 'admins' ? 'operators' : 'everyone' };
}

/** Opens the database (migrating it), wires the domain and builds the HTTP app. */
export async function createGatehouse(config: GatehouseConfig, logger: Logger = createLogger(config), clock: Clock = systemClock): Promise<Gatehouse> {
  // Providers first: a provider that cannot be reached fails start-up before anything is opened.
  const oauth = await createOAuthDeps(config);
  const database = await openStore(config, { migrate: 'on-open', checkpoints: 'worker' }, logger);
  // Redis, when configured, carries the throttle counters and the revocation fan-out; the
  // database stays the one source of truth and takes over whenever Redis is unreachable.
  const shared =
    config.redis.url === ''
      ? database
      : (await import('./storage/redis/with-redis.ts')).withRedis(database, {
          url: config.redis.url,
          keyPrefix: config.redis.keyPrefix,
          commandTimeoutMs: config.redis.commandTimeoutMs,
          onStateChange: (state, error) =>
            state === 'down'
              ? logger.warn({ err: error, redis: redactUrl(config.redis.url) }, 'Redis unreachable: rate limits fall back to the database, revocation feeds poll it')
              : logger.info({ redis: redactUrl(config.redis.url) }, 'Redis reachable again: rate limits and revocation fan-out back on Redis'),
        });
  // Metrics only when GATEHOUSE_METRICS_TOKEN is set; off, nothing is wrapped or hooked, and prom-client is not loaded.
  const metering = config.metrics.token === '' ? undefined : (await import('./metrics/gatehouse-metrics.ts')).meter(config, shared, clock);
  const metered = metering?.store ?? shared;
  // Loaded here, not at the top: the CLI imports this module and never sends mail.
  const { createMailer } = await import('./mail/create-mailer.ts');
  const mailer = createMailer(config, logger, clock, undefined, metering?.mail);
  if (mailer.warning !== null) logger.warn(mailer.warning);
  // Session checks from memory (storage/session-cache.ts). On SQLite always, and exact: this
  // process's writes clear the cache, and SQLite's data_version shows another process's commit on
  // the next check. On PostgreSQL only when configured: other instances' writes are seen within
  // cacheMs.
  const externalWrites = database.externalWrites;
  const store =
    externalWrites !== undefined
      ? withSessionCache(metered, { ttlMs: config.session.cacheMs === 0 ? 1000 : config.session.cacheMs, clock, externalWrites })
      : config.session.cacheMs === 0
        ? metered
        : withSessionCache(metered, { ttlMs: config.session.cacheMs, clock });
  // The inspector, when on: a bounded log of traces, a recorder the core writes its steps to, and
  // a store that records every repository call. Off, the core gets the no-op recorder and the
  // store is not wrapped (PERF.md: the session check within 2% of no recorder at all).
  const inspector = config.inspector === 'off' ? undefined : await createInspector(config, clock);
  const deps = await createCoreDeps(config, inspector === undefined ? store : tracedStore(store, inspector.recorder), clock, mailer.queue, inspector?.recorder ?? noTrace);
  const tokens = createTokenDeps(config, deps.store, clock);
  await tokens.keyRing.ensureKey();
  // A changed GATEHOUSE_TOKEN_ALGORITHM must not be silently ignored, nor break tokens in flight:
  // a key of the new algorithm is published now and signs once every JWKS cache has it.
  const switched = await tokens.keyRing.rotateToConfiguredAlgorithm();
  if (switched !== null) {
    logger.warn(
      { kid: switched.kid, alg: switched.toAlg, activatesAt: new Date(switched.activatesAtMs).toISOString(), retiredKid: switched.retiredKid },
      `signing algorithm changed from ${switched.fromAlg} to ${switched.toAlg}: a new ${switched.toAlg} key is published now and signs from ${new Date(switched.activatesAtMs).toISOString()}; ${switched.fromAlg} tokens stay valid until they expire`,
    );
  }
  const rotationIntervalMs = config.token.keyRotationDays * 24 * 3_600_000;
  const rotateIfDue = async (): Promise<void> => {
    if (rotationIntervalMs === 0) return;
    const rotated = [await tokens.keyRing.rotateIfDue(rotationIntervalMs), ...(await tokens.idTokenKeys.rotateIfDue(rotationIntervalMs))];
    for (const key of rotated) {
      if (key !== null) logger.info({ kid: key.kid, activatesAt: new Date(key.activatesAtMs).toISOString(), retiredKid: key.retiredKid }, 'signing key rotated on schedule');
    }
  };
  await rotateIfDue();
  // A silent logger still costs a child logger per request: skip it entirely.
  // Loaded here, not at the top: the CLI imports this module for its other exports and serves no
  // HTTP, so each CLI command skips loading fastify and every route.
  const { buildApp } = await import('./http/app.ts');
  const app = await buildApp({
    deps,
    tokens,
    config: { ...config, devOutbox: mailer.devOutbox, console: (await import('./console-config.ts')).consoleConfig(config, () => mailer.queue.stats()) },
    oauth,
    requestLog: config.dev ? 'summary' : 'full',
    ...(config.logLevel === 'silent' ? {} : { logger }),
    ...(inspector === undefined ? {} : { inspector }),
    ...(metering === undefined ? {} : { metrics: { metrics: metering.metrics, token: config.metrics.token } }),
  });
  const outbox = startOutbox({ config, deliveries: store.deliveries, clock, random: systemRandom, logger });
  // Back-channel logout (core/logout/): queued where sessions end, sent by this outbox.
  outbox.kinds.set(backchannelLogoutKindName, backchannelLogoutKind({ store, clock, random: systemRandom, issuer: tokens.issuer, idTokenKeys: tokens.idTokenKeys, ...(inspector === undefined ? {} : { trace: inspector.recorder }) }));
  outbox.kinds.set(webhookKind, webhookDeliveryKind({ endpoints: store.webhookEndpoints, webhookKeys: webhookKeys(config.secrets), onOutcome: metering?.webhookOutcome }));
  const housekeeping = setInterval(() => {
    const nowMs = clock.nowMs();
    void Promise.all([housekeep({ store, deps, tokens }, nowMs), rotateIfDue()]).catch((error: unknown) => logger.warn({ err: error }, 'housekeeping failed'));
  }, 10 * 60 * 1000);
  housekeeping.unref();
  // Pool use in the logs: a line every minute at debug level, a warning when requests queue for a connection.
  const storageStatus = setInterval(() => {
    const status = store.describe?.();
    if (status === undefined) return;
    const waiting = (status.pool as { waiting?: number } | undefined)?.waiting ?? 0;
    if (waiting > 0) logger.warn({ storage: status }, 'database pool exhausted: requests are waiting for a connection');
    else logger.debug({ storage: status }, 'storage status');
  }, 60_000);
  storageStatus.unref();
  return {
    app,
    store,
    deps,
    tokens,
    oauth,
    logger,
    mailer,
    outbox,
    async close() {
      clearInterval(housekeeping);
      clearInterval(storageStatus);
      await app.close();
      await outbox.worker.stop();
      await mailer.queue.close();
      await store.close();
    },
  };
}
