import { isIP } from 'node:net';
import { defaultSigningAlgorithm, signingAlgorithms } from '../core/tokens/signing-algorithms.ts';

/**
 * Every setting Gatehouse reads, in one table: its place in the config file, its environment
 * variable, its default, and how it is checked. docs/configuration.md is generated from it
 * (npm run gatehouse -- config-docs) and a test keeps the two in step.
 */
export interface Setting {
  /** Dotted path in the JSON config file, e.g. `session.idleTimeoutSeconds`. */
  path: string;
  env: string;
  description: string;
  kind: 'string' | 'integer' | 'list' | 'boolean';
  /** Default; `undefined` means required outside dev mode (dev mode fills it in). */
  defaultValue: string | number | boolean | readonly string[] | undefined;
  min?: number;
  max?: number;
  /** Extra check on a parsed value; returns a problem or null. */
  check?: (value: never) => string | null;
  /** Never printed or logged. */
  secret?: boolean;
}

const day = 24 * 60 * 60;

function checkProxy(value: readonly string[]): string | null {
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  const bad = value.filter((entry) => {
    if (named.has(entry)) return false;
    const [address, bits, extra] = entry.split('/');
    if (extra !== undefined || address === undefined) return true;
    const family = isIP(address);
    if (family === 0) return true;
    if (bits === undefined) return false;
    const n = Number(bits);
    return !/^\d{1,3}$/.test(bits) || n > (family === 4 ? 32 : 128);
  });
  return bad.length === 0 ? null : `not an IP address, CIDR range or loopback/linklocal/uniquelocal: ${bad.join(', ')}`;
}

function checkOrigins(value: readonly string[]): string | null {
  const bad = value.filter((entry) => {
    try {
      const url = new URL(entry);
      return url.origin !== entry || !['https:', 'http:'].includes(url.protocol);
    } catch {
      return true;
    }
  });
  return bad.length === 0 ? null : `not a bare origin such as https://app.example.com: ${bad.join(', ')}`;
}

export const settings: readonly Setting[] = [
  { path: 'dev', env: 'GATEHOUSE_DEV', kind: 'boolean', defaultValue: false, description: 'Dev mode: generates a secret next to the database (./data/dev-secret by default), defaults the public URL to http://localhost:PORT and says so loudly. Never in production.' },
  { path: 'host', env: 'GATEHOUSE_HOST', kind: 'string', defaultValue: '127.0.0.1', description: 'Address to listen on. Use 0.0.0.0 (or ::) behind a reverse proxy or in a container.' },
  { path: 'port', env: 'PORT', kind: 'integer', defaultValue: 3000, min: 0, max: 65535, description: 'TCP port to listen on (0 picks a free one).' },
  { path: 'publicUrl', env: 'GATEHOUSE_PUBLIC_URL', kind: 'string', defaultValue: undefined, description: 'The origin users reach Gatehouse at, e.g. https://auth.example.com. Used for CSRF origin checks and in every link Gatehouse writes; never taken from the Host header. Must be https except for localhost.' },
  { path: 'database', env: 'GATEHOUSE_DATABASE', kind: 'string', defaultValue: './data/gatehouse.db', description: 'SQLite file path, or a PostgreSQL URL (`postgres://user:password@host:5432/gatehouse`) to run on PostgreSQL; many instances may share one PostgreSQL database (see docs/deployment.md).' },
  { path: 'postgres.maxConnections', env: 'GATEHOUSE_POSTGRES_POOL_MAX', kind: 'integer', defaultValue: 10, min: 2, max: 1000, description: 'PostgreSQL only: connections in each instance\'s pool at most. Keep instances × this under the server\'s max_connections.' },
  { path: 'postgres.connectTimeoutMs', env: 'GATEHOUSE_POSTGRES_CONNECT_TIMEOUT_MS', kind: 'integer', defaultValue: 5000, min: 100, max: 60_000, description: 'PostgreSQL only: how long a request waits for a connection (a new one, or a free one from a busy pool) before it is answered 503.' },
  { path: 'postgres.statementTimeoutMs', env: 'GATEHOUSE_POSTGRES_STATEMENT_TIMEOUT_MS', kind: 'integer', defaultValue: 10_000, min: 100, max: 600_000, description: 'PostgreSQL only: a statement running longer is cancelled (statement_timeout) and the request answered 503.' },
  { path: 'postgres.idleTimeoutMs', env: 'GATEHOUSE_POSTGRES_IDLE_TIMEOUT_MS', kind: 'integer', defaultValue: 30_000, min: 1000, max: 3_600_000, description: 'PostgreSQL only: an idle pooled connection is closed after this long.' },
  { path: 'redis.url', env: 'GATEHOUSE_REDIS', kind: 'string', defaultValue: '', secret: true, check: ((v: string) => (v === '' || /^rediss?:\/\//.test(v) ? null : 'must be a redis:// or rediss:// URL, or empty')) as (v: never) => string | null, description: 'Redis URL (`redis://[:password@]host:6379[/db]`, or `rediss://` for TLS). Optional: rate-limit and lockout counters shared by every instance, and revocations fanned out to every instance at once. Empty: everything runs on the database alone. While Redis is unreachable, limits fall back to the database.' },
  { path: 'redis.keyPrefix', env: 'GATEHOUSE_REDIS_KEY_PREFIX', kind: 'string', defaultValue: 'gatehouse:', description: 'Prefix of every Redis key and channel Gatehouse uses, so one Redis can serve several deployments.' },
  { path: 'redis.commandTimeoutMs', env: 'GATEHOUSE_REDIS_COMMAND_TIMEOUT_MS', kind: 'integer', defaultValue: 500, min: 50, max: 60_000, description: 'A Redis command unanswered this long counts as Redis unreachable: the request falls back to the database.' },
  { path: 'secrets', env: 'GATEHOUSE_SECRET', kind: 'list', defaultValue: undefined, secret: true, description: 'Server secret(s), at least 32 characters each, comma-separated; the first is current, the others are still accepted (for rotation). Generate with `openssl rand -base64 32`.' },
  { path: 'trustedProxies', env: 'GATEHOUSE_TRUSTED_PROXIES', kind: 'list', defaultValue: [], check: checkProxy as (v: never) => string | null, description: 'Proxies whose X-Forwarded-For is believed: IPs, CIDR ranges, or loopback/linklocal/uniquelocal. Empty: the socket address is the client.' },
  { path: 'allowedReturnOrigins', env: 'GATEHOUSE_ALLOWED_RETURN_ORIGINS', kind: 'list', defaultValue: [], check: checkOrigins as (v: never) => string | null, description: 'Other origins (your apps) that `return_to` may send the browser to after login, comma-separated, e.g. https://app.example.com. Same-origin paths are always allowed.' },
  { path: 'session.idleTimeoutSeconds', env: 'GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS', kind: 'integer', defaultValue: 7 * day, min: 60, description: 'A session unused this long ends. Default 7 days.' },
  { path: 'session.absoluteTimeoutSeconds', env: 'GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS', kind: 'integer', defaultValue: 30 * day, min: 60, description: 'A session ends this long after login however active. Default 30 days (NIST SP 800-63B AAL1).' },
  { path: 'session.touchIntervalSeconds', env: 'GATEHOUSE_SESSION_TOUCH_INTERVAL_SECONDS', kind: 'integer', defaultValue: 60, min: 1, max: 3600, description: 'last_seen is written at most this often per session.' },
  { path: 'session.reauthWindowSeconds', env: 'GATEHOUSE_REAUTH_WINDOW_SECONDS', kind: 'integer', defaultValue: 300, min: 30, max: 3600, description: 'Sensitive changes (linking a provider, two-factor settings, recovery codes, password, deleting the account) need a login or re-authentication (POST /v1/me/reauth) at most this long ago. Default 5 minutes.' },
  { path: 'session.consoleIdleTimeoutSeconds', env: 'GATEHOUSE_CONSOLE_IDLE_TIMEOUT_SECONDS', kind: 'integer', defaultValue: 900, min: 60, max: 86_400, description: 'The operator console (/admin) locks after this long without a console request: the next one asks the operator to re-authenticate. The account\'s session itself goes on. Default 15 minutes.' },
  { path: 'session.cookieDomain', env: 'GATEHOUSE_SESSION_COOKIE_DOMAIN', kind: 'string', defaultValue: '', description: 'Empty (the default): the session cookie is `__Host-gatehouse_session`, sent to the public origin only. Set to a parent domain of the public URL (e.g. `example.com` for auth.example.com) to use `__Secure-gatehouse_session` with that Domain instead, so forward auth works for apps on sibling subdomains; every host under that domain then receives the session cookie. Read the trade-off in docs/deployment.md first.' },
  { path: 'session.cacheMs', env: 'GATEHOUSE_SESSION_CACHE_MS', kind: 'integer', defaultValue: 0, min: 0, max: 1000, description: 'PostgreSQL: serve session checks from memory for this long (0 = off, at most 1000); the instance that revokes a session refuses it at once, the others within this bound. SQLite: the cache is always on, and another process\'s commit is seen within a millisecond; this sets its lifetime (0 = 1000).' },
  { path: 'forwardAuth.rules', env: 'GATEHOUSE_FORWARD_AUTH_RULES', kind: 'list', defaultValue: [], description: 'What `GET /v1/auth/check` protects, comma-separated: `ORIGIN[/PATH] [session|second-factor]`, e.g. `https://app.example.com session, https://app.example.com/admin second-factor`. The longest matching path wins; a URL no rule covers is refused (403). Each origin must also be the public URL or listed in allowedReturnOrigins. Empty: any URL, a session is enough.' },
  { path: 'forwardAuth.mode', env: 'GATEHOUSE_FORWARD_AUTH_MODE', kind: 'string', defaultValue: 'status', check: ((v: string) => (['status', 'redirect'].includes(v) ? null : 'must be status or redirect')) as (v: never) => string | null, description: 'How `GET /v1/auth/check` refuses a browser without a session: `status` answers 401 with the login page in `Location` (nginx `auth_request` accepts only 2xx, 401 and 403), `redirect` answers 302 to it (Traefik ForwardAuth, Caddy `forward_auth`).' },
  { path: 'password.minLength', env: 'GATEHOUSE_PASSWORD_MIN_LENGTH', kind: 'integer', defaultValue: 15, min: 15, max: 64, description: 'Minimum password length in characters. 15 is the floor without MFA (NIST SP 800-63B-4).' },
  { path: 'password.maxBytes', env: 'GATEHOUSE_PASSWORD_MAX_BYTES', kind: 'integer', defaultValue: 512, min: 256, max: 4096, description: 'Maximum password size in UTF-8 bytes, refused before hashing. 256 is the floor, so 64 characters of any script always fit.' },
  { path: 'password.argon2.memoryKiB', env: 'GATEHOUSE_ARGON2_MEMORY_KIB', kind: 'integer', defaultValue: 19_456, min: 19_456, max: 1_048_576, description: 'argon2id memory cost in KiB (OWASP minimum 19456).' },
  { path: 'password.argon2.passes', env: 'GATEHOUSE_ARGON2_PASSES', kind: 'integer', defaultValue: 2, min: 2, max: 100, description: 'argon2id time cost (OWASP minimum 2).' },
  { path: 'password.argon2.parallelism', env: 'GATEHOUSE_ARGON2_PARALLELISM', kind: 'integer', defaultValue: 1, min: 1, max: 16, description: 'argon2id lanes.' },
  { path: 'rateLimit.account.freeFailures', env: 'GATEHOUSE_RATE_LIMIT_ACCOUNT_FREE_FAILURES', kind: 'integer', defaultValue: 5, min: 1, description: 'Failed logins on one email before waits start.' },
  { path: 'rateLimit.account.baseDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_ACCOUNT_BASE_DELAY_SECONDS', kind: 'integer', defaultValue: 1, min: 1, description: 'First wait; it doubles with every further failure.' },
  { path: 'rateLimit.account.maxDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_ACCOUNT_MAX_DELAY_SECONDS', kind: 'integer', defaultValue: 900, min: 1, description: 'Longest wait for one email.' },
  { path: 'rateLimit.account.resetAfterSeconds', env: 'GATEHOUSE_RATE_LIMIT_ACCOUNT_RESET_AFTER_SECONDS', kind: 'integer', defaultValue: day, min: 60, description: 'Failures are forgotten after this long without one.' },
  { path: 'rateLimit.ip.freeFailures', env: 'GATEHOUSE_RATE_LIMIT_IP_FREE_FAILURES', kind: 'integer', defaultValue: 20, min: 1, description: 'Failed logins from one IP, across accounts, before waits start.' },
  { path: 'rateLimit.ip.baseDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_IP_BASE_DELAY_SECONDS', kind: 'integer', defaultValue: 1, min: 1, description: 'First wait for an IP.' },
  { path: 'rateLimit.ip.maxDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_IP_MAX_DELAY_SECONDS', kind: 'integer', defaultValue: 900, min: 1, description: 'Longest wait for an IP.' },
  { path: 'rateLimit.ip.resetAfterSeconds', env: 'GATEHOUSE_RATE_LIMIT_IP_RESET_AFTER_SECONDS', kind: 'integer', defaultValue: 3600, min: 60, description: 'IP failures are forgotten after this long without one.' },
  { path: 'rateLimit.signupIp.freeFailures', env: 'GATEHOUSE_RATE_LIMIT_SIGNUP_FREE_ATTEMPTS', kind: 'integer', defaultValue: 10, min: 1, description: 'Sign-ups from one IP before waits start.' },
  { path: 'rateLimit.signupIp.baseDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_SIGNUP_BASE_DELAY_SECONDS', kind: 'integer', defaultValue: 10, min: 1, description: 'First wait between sign-ups from one IP.' },
  { path: 'rateLimit.signupIp.maxDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_SIGNUP_MAX_DELAY_SECONDS', kind: 'integer', defaultValue: 3600, min: 1, description: 'Longest wait between sign-ups from one IP.' },
  { path: 'rateLimit.oauthStartIp.freeFailures', env: 'GATEHOUSE_RATE_LIMIT_OAUTH_START_FREE_ATTEMPTS', kind: 'integer', defaultValue: 60, min: 1, description: 'Social logins started from one IP before waits start (each start stores a 10-minute flow record).' },
  { path: 'rateLimit.oauthStartIp.baseDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_OAUTH_START_BASE_DELAY_SECONDS', kind: 'integer', defaultValue: 1, min: 1, description: 'First wait between social login starts from one IP.' },
  { path: 'rateLimit.oauthStartIp.maxDelaySeconds', env: 'GATEHOUSE_RATE_LIMIT_OAUTH_START_MAX_DELAY_SECONDS', kind: 'integer', defaultValue: 300, min: 1, description: 'Longest wait between social login starts from one IP.' },
  { path: 'rateLimit.oauthStartIp.resetAfterSeconds', env: 'GATEHOUSE_RATE_LIMIT_OAUTH_START_RESET_AFTER_SECONDS', kind: 'integer', defaultValue: 600, min: 60, description: 'Social login start counts are forgotten after this long without one.' },
  { path: 'rateLimit.signupIp.resetAfterSeconds', env: 'GATEHOUSE_RATE_LIMIT_SIGNUP_RESET_AFTER_SECONDS', kind: 'integer', defaultValue: day, min: 60, description: 'Sign-up counts are forgotten after this long.' },
  { path: 'token.algorithm', env: 'GATEHOUSE_TOKEN_ALGORITHM', kind: 'string', defaultValue: defaultSigningAlgorithm, check: ((v: string) => ((signingAlgorithms as readonly string[]).includes(v) ? null : `must be ${signingAlgorithms.join(', ')}`)) as (v: never) => string | null, description: 'JWT signing algorithm. ES256 (the default) is verified by every mainstream JWT library; EdDSA (Ed25519) signs fastest but `jsonwebtoken` and `fast-jwt` cannot verify it; RS256 for verifiers without EC. When the signing key uses another algorithm, start-up schedules a rotation to a key of this one, published ahead like `gatehouse keys rotate`, and says so in the log.' },
  { path: 'token.accessTokenTtlSeconds', env: 'GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS', kind: 'integer', defaultValue: 300, min: 30, max: 3600, description: 'Access token lifetime. Short on purpose: 5 minutes by default, never without exp.' },
  { path: 'token.keyPublishAheadSeconds', env: 'GATEHOUSE_KEY_PUBLISH_AHEAD_SECONDS', kind: 'integer', defaultValue: 300, min: 0, max: 86_400, description: 'After `gatehouse keys rotate`, the new key is published in the JWKS this long before it signs (at least the JWKS cache lifetime, 300 s).' },
  { path: 'token.keyRotationDays', env: 'GATEHOUSE_KEY_ROTATION_DAYS', kind: 'integer', defaultValue: 0, min: 0, max: 3650, description: 'Rotate the signing key automatically when the newest key is this many days old (checked at start-up and every 10 minutes; published ahead like `gatehouse keys rotate`). 0 turns the schedule off; 90 is a sensible choice.' },
  { path: 'token.refreshIdleTtlSeconds', env: 'GATEHOUSE_REFRESH_IDLE_TTL_SECONDS', kind: 'integer', defaultValue: 7 * day, min: 60, description: 'A refresh token unused this long dies (each rotation starts a new window). Default 7 days, like the session idle limit.' },
  { path: 'token.refreshAbsoluteTtlSeconds', env: 'GATEHOUSE_REFRESH_ABSOLUTE_TTL_SECONDS', kind: 'integer', defaultValue: 30 * day, min: 60, description: 'A refresh token family ends this long after login, however used (and never after its session).' },
  { path: 'token.refreshReuseGraceSeconds', env: 'GATEHOUSE_REFRESH_REUSE_GRACE_SECONDS', kind: 'integer', defaultValue: 10, min: 0, max: 60, description: 'The same refresh token presented again within this many seconds of its rotation gets the same successor (two tabs racing); later, it revokes the family.' },
  { path: 'token.passwordGrant', env: 'GATEHOUSE_PASSWORD_GRANT', kind: 'boolean', defaultValue: true, description: 'Allow grant_type=password for first-party clients that list it. Switch off when no first-party client needs it.' },
  { path: 'oauth.google', env: 'GATEHOUSE_OAUTH_GOOGLE', kind: 'string', defaultValue: '', secret: true, description: 'Login with Google: `client_id:client_secret` from the Google Cloud console (OAuth client of type "Web application"). Register the redirect URI Gatehouse prints at start-up.' },
  { path: 'oauth.github', env: 'GATEHOUSE_OAUTH_GITHUB', kind: 'string', defaultValue: '', secret: true, description: 'Login with GitHub: `client_id:client_secret` of a GitHub OAuth app. Its callback URL is the redirect URI Gatehouse prints at start-up.' },
  { path: 'oauth.oidc', env: 'GATEHOUSE_OAUTH_OIDC', kind: 'list', defaultValue: [], secret: true, description: 'Any OpenID Connect provider, one entry each (comma-separated): `ID ISSUER CLIENT_ID[:CLIENT_SECRET] [name=Display+Name] [scope=openid+email+profile] [auth=METHOD] [key=/path/to/private-key] [trust_provider_mfa=true]`, e.g. `okta https://dev-1.okta.com/oauth2/default 0oa1:s3cret name=Okta`. The token-endpoint authentication is chosen from the provider\'s `token_endpoint_auth_methods_supported` unless `auth=` sets it: `client_secret_basic`, `client_secret_post`, `private_key_jwt` (with `key=`, a PKCS#8 PEM or private JWK file; no secret) or `none` (a public client, PKCE only; no secret). Endpoints come from discovery at start-up; the issuer must be https. `trust_provider_mfa=true`: a login whose ID token says `amr` includes `mfa` counts as the second factor for accounts that have one (off by default: then such accounts go through Gatehouse\'s own second step).' },
  { path: 'oauth.linkVerifiedEmails', env: 'GATEHOUSE_OAUTH_LINK_VERIFIED_EMAILS', kind: 'boolean', defaultValue: false, description: 'When a first social login asserts a verified email that belongs to an existing account, link it and log in. Off: the user must log in to that account and link the provider from /account.' },
  { path: 'oauth.keepProviderTokens', env: 'GATEHOUSE_OAUTH_KEEP_PROVIDER_TOKENS', kind: 'boolean', defaultValue: false, description: "Keep each provider's access and refresh tokens (encrypted under the server secret, never sent to the browser), for calling the provider's APIs later. Off: they are discarded after login." },
  { path: 'oauth.demoIdp', env: 'GATEHOUSE_DEMO_IDP', kind: 'boolean', defaultValue: true, description: 'Dev mode only: also start the demo OpenID provider (a local oidc-provider with one demo user) and offer it as the provider "demo". Ignored outside dev mode.' },
  { path: 'oauth.demoIdpPort', env: 'GATEHOUSE_DEMO_IDP_PORT', kind: 'integer', defaultValue: 0, min: 0, max: 65535, description: 'Dev mode only: the loopback port of the demo OpenID provider; 0 means PORT + 1.' },
  { path: 'oauth.demoRp', env: 'GATEHOUSE_DEMO_RP', kind: 'boolean', defaultValue: true, description: 'Dev mode only: also start the demo relying party (an app that logs in with Gatehouse as its OpenID Provider), registered as the client "demo-rp". Ignored outside dev mode.' },
  { path: 'oauth.demoRpPort', env: 'GATEHOUSE_DEMO_RP_PORT', kind: 'integer', defaultValue: 0, min: 0, max: 65535, description: 'Dev mode only: the loopback port of the demo relying party; 0 means PORT + 2.' },
  { path: 'mail.productName', env: 'GATEHOUSE_PRODUCT_NAME', kind: 'string', defaultValue: 'Gatehouse', description: 'The name mails and pages call the service by, e.g. "Acme accounts".' },
  { path: 'mail.from', env: 'GATEHOUSE_MAIL_FROM', kind: 'string', defaultValue: 'Gatehouse <no-reply@localhost>', description: 'The From address of every mail, e.g. `Acme <no-reply@acme.example>`.' },
  { path: 'mail.smtp.host', env: 'GATEHOUSE_SMTP_HOST', kind: 'string', defaultValue: '', description: 'SMTP server for outgoing mail. Empty outside dev mode: mails cannot be sent (each one is logged as an error and dropped) and start-up warns. In dev mode mails also go to the outbox at /dev/mail.' },
  { path: 'mail.smtp.port', env: 'GATEHOUSE_SMTP_PORT', kind: 'integer', defaultValue: 587, min: 1, max: 65535, description: 'SMTP port: 587 (STARTTLS) or 465 (implicit TLS).' },
  { path: 'mail.smtp.tls', env: 'GATEHOUSE_SMTP_TLS', kind: 'string', defaultValue: 'starttls', check: ((v: string) => (['starttls', 'implicit', 'none'].includes(v) ? null : 'must be starttls, implicit or none')) as (v: never) => string | null, description: '`starttls` (upgrade required, refused if the server does not offer it), `implicit` (TLS from the first byte, port 465) or `none` (plain text: only for a relay on the same host).' },
  { path: 'mail.smtp.user', env: 'GATEHOUSE_SMTP_USER', kind: 'string', defaultValue: '', description: 'SMTP user name; empty for no authentication.' },
  { path: 'mail.smtp.password', env: 'GATEHOUSE_SMTP_PASSWORD', kind: 'string', defaultValue: '', secret: true, description: 'SMTP password.' },
  { path: 'account.requireVerifiedEmail', env: 'GATEHOUSE_REQUIRE_VERIFIED_EMAIL', kind: 'boolean', defaultValue: true, description: 'Refuse logins until the email address is verified (the link mailed at sign-up). Switching it off lets an unverified account log in; sign-up never logs in by itself either way.' },
  { path: 'account.verificationTtlSeconds', env: 'GATEHOUSE_VERIFICATION_TTL_SECONDS', kind: 'integer', defaultValue: day, min: 600, max: 7 * day, description: 'An email verification link works this long. Default 24 hours.' },
  { path: 'account.resetTtlSeconds', env: 'GATEHOUSE_RESET_TTL_SECONDS', kind: 'integer', defaultValue: 1800, min: 300, max: 3600, description: 'A password reset link works this long. Default 30 minutes.' },
  { path: 'account.mailIntervalSeconds', env: 'GATEHOUSE_MAIL_INTERVAL_SECONDS', kind: 'integer', defaultValue: 60, min: 1, max: 3600, description: 'Verification, reset and sign-in code mails to one address: at most one per this interval (resends inside it are answered the same but not sent), and at most 10 a day.' },
  { path: 'otp.emailCodeDigits', env: 'GATEHOUSE_EMAIL_CODE_DIGITS', kind: 'integer', defaultValue: 6, min: 6, max: 8, description: 'Digits of an emailed one-time code.' },
  { path: 'otp.emailCodeTtlSeconds', env: 'GATEHOUSE_EMAIL_CODE_TTL_SECONDS', kind: 'integer', defaultValue: 600, min: 60, max: 600, description: 'An emailed one-time code works this long (NIST SP 800-63B: at most 10 minutes).' },
  { path: 'otp.maxFailedAttempts', env: 'GATEHOUSE_OTP_MAX_FAILED_ATTEMPTS', kind: 'integer', defaultValue: 5, min: 1, max: 100, description: 'Wrong one-time codes (emailed, TOTP or recovery) per account before it must wait; each further failure doubles the wait, from 1 minute up to 1 hour. A resend keeps the count.' },
  { path: 'passkeys.rpId', env: 'GATEHOUSE_PASSKEY_RP_ID', kind: 'string', defaultValue: '', check: ((v: string) => (v === '' || /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(v) ? null : 'must be a lower-case host name such as example.com, without scheme or port')) as (v: never) => string | null, description: "The WebAuthn relying party id passkeys are made for: the public URL's host (empty, the default) or a registrable suffix of it, e.g. `example.com` for https://auth.example.com so apps on other subdomains may use the passkeys too. Changing it later makes every existing passkey unusable." },
  { path: 'passkeys.origins', env: 'GATEHOUSE_PASSKEY_ORIGINS', kind: 'list', defaultValue: [], check: checkOrigins as (v: never) => string | null, description: "Origins whose passkey answers are accepted besides the public URL, comma-separated; empty (the default): the public URL only. Add your apps' origins here when their own pages call the /v1/passkeys API; each must be on the RP ID's host or below it." },
  { path: 'passkeys.attestation', env: 'GATEHOUSE_PASSKEY_ATTESTATION', kind: 'string', defaultValue: 'none', check: ((v: string) => (['none', 'direct'].includes(v) ? null : 'must be none or direct')) as (v: never) => string | null, description: '`none` (the default): no attestation is asked for, so nothing identifying the authenticator model is collected. `direct`: ask for it and verify its statement (for deployments that audit authenticator models).' },
  { path: 'delivery.allowedNetworks', env: 'GATEHOUSE_DELIVERY_ALLOWED_NETWORKS', kind: 'list', defaultValue: [], check: checkProxy as (v: never) => string | null, description: 'Webhooks, back-channel logout and the fetch of a private_key_jwt client jwks_uri go to public addresses only: a URL whose name resolves to a loopback, private, link-local or other special-purpose address is refused (it could reach this server, a cloud metadata service or your private network). List the networks to allow anyway, comma-separated: IPs, CIDR ranges, or loopback/linklocal/uniquelocal. Plain http is accepted only to a loopback address allowed here (dev mode allows loopback); everything else must be https.' },
  { path: 'delivery.timeoutMs', env: 'GATEHOUSE_DELIVERY_TIMEOUT_MS', kind: 'integer', defaultValue: 10_000, min: 1000, max: 60_000, description: 'One webhook or back-channel logout attempt (DNS, connect, TLS and the answer) at most this long; then it counts as failed and is retried.' },
  { path: 'delivery.retryBaseDelayMs', env: 'GATEHOUSE_DELIVERY_RETRY_BASE_DELAY_MS', kind: 'integer', defaultValue: 10_000, min: 100, max: 3_600_000, description: 'Wait before retrying a failed delivery; it doubles with each failure (with jitter), up to an hour between attempts, and a delivery still failing 3 days after it was written is given up on (dead, listed for a retry by hand).' },
  { path: 'inspector', env: 'GATEHOUSE_INSPECTOR', kind: 'string', defaultValue: '', check: ((v: string) => (['', 'on', 'off', 'admins'].includes(v) ? null : 'must be on, off or admins')) as (v: never) => string | null, description: 'The inspector at /dev/inspector: every step of every login, live (JSON at /dev/inspector/traces, Server-Sent Events at /dev/inspector/stream). Empty (the default): `on` in dev mode, `off` otherwise. `admins`: on, for signed-in operators with a second factor only (production), inside the operator console at /admin/inspector (/admin/inspector/traces, /admin/inspector/stream, /admin/inspector/compare) and not at /dev/inspector. `on` is refused outside dev mode: traces name accounts and sessions. Off, nothing is recorded and the routes do not exist.' },
  { path: 'metrics.token', env: 'GATEHOUSE_METRICS_TOKEN', kind: 'string', defaultValue: '', secret: true, description: 'Turns on `GET /metrics` (Prometheus text format) and sets the bearer token it requires (`Authorization: Bearer <token>`). At least 32 characters, as random as the server secret (`openssl rand -base64 32`). Empty (the default): no /metrics route and no request metrics at all.' },
  { path: 'logLevel', env: 'GATEHOUSE_LOG_LEVEL', kind: 'string', defaultValue: 'info', check: ((v: string) => (['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v) ? null : 'must be one of fatal, error, warn, info, debug, trace, silent')) as (v: never) => string | null, description: 'Log level (pino). Logs are one JSON object a line; in dev mode, short human-readable lines (one per request).' },
];
