import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { Argon2idParams } from '../core/credentials/argon2id.ts';
import type { SigningAlgorithm } from '../core/tokens/signing-algorithms.ts';
import { settings, type Setting } from './settings.ts';
import type { OAuthProviderConfig } from '../core/oauth-client/provider-config.ts';
import { parseOAuthProviders, type OAuthSettings } from './oauth-providers.ts';
import type { AccessRule } from '../core/forward-auth/access-rules.ts';
import { parseAccessRules } from './forward-auth-rules.ts';
import { checkPasskeySettings } from './passkey-settings.ts';
import { estimatedSecretBits, minimumSecretBits } from './secret-strength.ts';

export interface RateRuleConfig {
  freeFailures: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  resetAfterSeconds: number;
}

export interface GatehouseConfig {
  dev: boolean;
  host: string;
  port: number;
  /** Normalized, without a trailing slash: `https://auth.example.com`. */
  publicUrl: string;
  /** A SQLite path, or a `postgres://` URL. */
  database: string;
  postgres: { maxConnections: number; connectTimeoutMs: number; statementTimeoutMs: number; idleTimeoutMs: number };
  /** `url` empty: no Redis. */
  redis: { url: string; keyPrefix: string; commandTimeoutMs: number };
  /** The first signs; all are accepted. */
  secrets: readonly string[];
  trustedProxies: readonly string[];
  allowedReturnOrigins: readonly string[];
  session: { idleTimeoutSeconds: number; absoluteTimeoutSeconds: number; touchIntervalSeconds: number; cacheMs: number; cookieDomain: string; reauthWindowSeconds: number; consoleIdleTimeoutSeconds: number };
  forwardAuth: {
    rules: readonly string[];
    mode: 'status' | 'redirect';
    /** `rules`, parsed and checked. */
    accessRules: readonly AccessRule[];
  };
  password: { minLength: number; maxBytes: number; argon2: Argon2idParams };
  rateLimit: { account: RateRuleConfig; ip: RateRuleConfig; signupIp: RateRuleConfig; oauthStartIp: RateRuleConfig; authorizeIp: RateRuleConfig };
  token: {
    algorithm: SigningAlgorithm;
    accessTokenTtlSeconds: number;
    keyPublishAheadSeconds: number;
    keyRotationDays: number;
    refreshIdleTtlSeconds: number;
    refreshAbsoluteTtlSeconds: number;
    refreshReuseGraceSeconds: number;
    passwordGrant: boolean;
  };
  oauth: OAuthSettings & {
    linkVerifiedEmails: boolean;
    keepProviderTokens: boolean;
    demoIdp: boolean;
    demoIdpPort: number;
    demoRp: boolean;
    demoRpPort: number;
    /** Parsed from google, github and oidc, checked; dev mode's `serve` adds the demo provider. */
    providers: readonly OAuthProviderConfig[];
  };
  mail: {
    productName: string;
    from: string;
    smtp: { host: string; port: number; tls: 'starttls' | 'implicit' | 'none'; user: string; password: string };
  };
  account: { requireVerifiedEmail: boolean; verificationTtlSeconds: number; resetTtlSeconds: number; mailIntervalSeconds: number };
  otp: { emailCodeDigits: number; emailCodeTtlSeconds: number; maxFailedAttempts: number };
  /** `rpId` empty: the public URL's host; `origins` empty: the public URL. */
  passkeys: { rpId: string; origins: readonly string[]; attestation: 'none' | 'direct' };
  /** The outbox's HTTP sender and retry schedule (src/delivery/). */
  delivery: { allowedNetworks: readonly string[]; timeoutMs: number; retryBaseDelayMs: number };
  /** `token` empty: metrics off. */
  metrics: { token: string };
  logLevel: string;
  /** The inspector (/dev/inspector): `on` (dev mode only), `admins` (operators only, at /admin/inspector) or `off`; resolved from the empty default. */
  inspector: 'on' | 'off' | 'admins';
  /** What dev mode generated or defaulted, for the start-up banner. Empty outside dev mode. */
  devNotices: readonly string[];
}

/** Every problem found in the configuration, listed together. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super(`Gatehouse configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Path of a JSON config file; environment variables override it. */
  file?: string;
  /** `--dev` on the command line. */
  dev?: boolean;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix === '' ? key : `${prefix}.${key}`, out);
  } else {
    out.set(prefix, value);
  }
}

function parse(setting: Setting, raw: unknown, from: string, problems: string[]): unknown {
  const where = `${setting.path} (${from})`;
  switch (setting.kind) {
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
      if (typeof raw === 'string' && ['0', 'false', 'no', 'off', ''].includes(raw.toLowerCase())) return false;
      problems.push(`${where}: expected true or false`);
      return undefined;
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) problems.push(`${where}: expected a whole number`);
      else if (setting.min !== undefined && n < setting.min) problems.push(`${where}: must be at least ${setting.min}`);
      else if (setting.max !== undefined && n > setting.max) problems.push(`${where}: must be at most ${setting.max}`);
      else return n;
      return undefined;
    }
    case 'list':
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw.map((x: string) => x.trim()).filter(Boolean);
      if (typeof raw === 'string') return raw.split(',').map((x) => x.trim()).filter(Boolean);
      problems.push(`${where}: expected a comma-separated string or an array of strings`);
      return undefined;
    case 'string':
      if (typeof raw === 'string') return raw.trim();
      problems.push(`${where}: expected a string`);
      return undefined;
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts.at(-1) as string] = value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Dev mode shows every mail (links and codes) at /dev/mail and uses a generated secret: it must
 * never be reachable from the network (docs/security.md SEC-108). So it listens on loopback only,
 * and its public URL is http://localhost or http://127.0.0.1 (any port).
 */
function checkDevExposure(host: string, publicUrl: string | undefined, problems: string[]): void {
  const loopbackListen = host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
  if (!loopbackListen) problems.push(`host (GATEHOUSE_HOST): dev mode listens on loopback only (127.0.0.1, ::1 or localhost), not ${host}: it shows every mail at /dev/mail`);
  if (publicUrl !== undefined && URL.canParse(publicUrl)) {
    const url = new URL(publicUrl);
    if (url.protocol !== 'http:' || !['localhost', '127.0.0.1'].includes(url.hostname)) {
      problems.push(`publicUrl (GATEHOUSE_PUBLIC_URL): dev mode runs at http://localhost or http://127.0.0.1 (any port) only, not ${url.origin}`);
    }
  }
}

/** Dev mode keeps one generated secret under the data folder, readable by the owner only. */
function devSecret(database: string): { secret: string; notice: string } {
  const dir = database === ':memory:' || /^postgres(ql)?:\/\//i.test(database) ? './data' : dirname(database);
  const path = join(dir, 'dev-secret');
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    const secret = readFileSync(path, 'utf8').trim();
    if (secret.length < 32) throw new ConfigError([`${path}: the dev secret is shorter than 32 characters; delete the file to generate a new one`]);
    return { secret, notice: `using the dev secret in ${path}` };
  }
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { secret, notice: `generated a secret and stored it in ${path} (mode 0600)` };
}

/**
 * The opt-in cookie domain must be the public URL's host or a parent of it, written as a bare
 * lower-case domain name: a browser drops a cookie whose Domain does not cover the page, and an
 * IP address or a one-label name would reach far more than the operator meant.
 */
function checkCookieDomain(session: GatehouseConfig['session'], publicUrl: string | undefined, problems: string[]): void {
  const domain = session.cookieDomain.replace(/^\./, '');
  session.cookieDomain = domain;
  if (domain === '') return;
  const where = 'session.cookieDomain (GATEHOUSE_SESSION_COOKIE_DOMAIN)';
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(domain) || /^[\d.]+$/.test(domain)) {
    problems.push(`${where}: expected a lower-case domain name with at least two labels, such as example.com`);
    return;
  }
  if (publicUrl === undefined) return;
  let host: string;
  try {
    host = new URL(publicUrl).hostname;
  } catch {
    return;
  }
  if (host !== domain && !host.endsWith(`.${domain}`)) problems.push(`${where}: ${domain} does not cover the public URL's host ${host}`);
}

/**
 * Reads the configuration from a JSON file and the environment (the environment wins),
 * checks all of it at once, and returns it frozen. Throws ConfigError listing every problem.
 *
 * @example
 * const config = loadConfig({ env: process.env, dev: true });
 */
export function loadConfig(options: LoadConfigOptions): GatehouseConfig {
  const problems: string[] = [];
  const fileValues = new Map<string, unknown>();
  if (options.file !== undefined) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(options.file, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) problems.push(`${options.file}: expected a JSON object`);
      else flatten(parsed, '', fileValues);
    } catch (error) {
      // V8 quotes a slice of the input in some JSON errors (`Unexpected token 'm', ..."secrets": my-s"...`),
      // and this file may hold the secrets: say where the syntax breaks, never what is there.
      const where = error instanceof SyntaxError ? /line \d+ column \d+/.exec(error.message)?.[0] : undefined;
      const reason = error instanceof SyntaxError ? `not valid JSON${where === undefined ? '' : ` (${where})`}` : error instanceof Error ? error.message : String(error);
      problems.push(`${options.file}: ${reason}`);
    }
  }
  const known = new Set(settings.map((s) => s.path));
  for (const key of fileValues.keys()) if (!known.has(key)) problems.push(`${key} (config file): unknown setting`);

  const config: Record<string, unknown> = {};
  for (const setting of settings) {
    const fromEnv = options.env[setting.env];
    const raw = fromEnv !== undefined ? fromEnv : fileValues.get(setting.path);
    let value = raw === undefined ? setting.defaultValue : parse(setting, raw, fromEnv !== undefined ? setting.env : 'config file', problems);
    if (setting.path === 'dev' && options.dev === true) value = true;
    if (value !== undefined && setting.check !== undefined) {
      const problem = setting.check(value as never);
      if (problem !== null) problems.push(`${setting.path}: ${problem}`);
    }
    setPath(config, setting.path, value);
  }

  const devNotices: string[] = [];
  if (config.dev === true) {
    devNotices.push('DEV MODE: not for production');
    if (config.publicUrl === undefined && typeof config.port === 'number') {
      config.publicUrl = `http://localhost:${String(config.port)}`;
      devNotices.push(`public URL defaulted to ${String(config.publicUrl)}`);
    }
    if (config.secrets === undefined || (config.secrets as string[]).length === 0) {
      const { secret, notice } = devSecret(String(config.database));
      config.secrets = [secret];
      devNotices.push(notice);
    }
  }

  if (config.publicUrl === undefined) {
    if (config.dev !== true) problems.push('publicUrl (GATEHOUSE_PUBLIC_URL): required outside dev mode');
  }
  else {
    let url: URL | null = null;
    try {
      url = new URL(String(config.publicUrl));
    } catch {
      problems.push('publicUrl (GATEHOUSE_PUBLIC_URL): not a valid URL');
    }
    if (url !== null) {
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.has(url.hostname))) {
        problems.push('publicUrl (GATEHOUSE_PUBLIC_URL): must be https:// (http:// is allowed for localhost only)');
      }
      if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
        problems.push('publicUrl (GATEHOUSE_PUBLIC_URL): must be a bare origin such as https://auth.example.com (the __Host- cookie needs the whole origin)');
      }
      config.publicUrl = url.origin;
    }
  }
  const secrets = config.secrets as string[] | undefined;
  if (secrets === undefined || secrets.length === 0) problems.push('secrets (GATEHOUSE_SECRET): required outside dev mode; generate one with `openssl rand -base64 32`');
  else if (secrets.some((s) => s.length < 32)) problems.push('secrets (GATEHOUSE_SECRET): each secret must be at least 32 characters');
  else if (config.dev !== true && secrets.some((s) => estimatedSecretBits(s) < minimumSecretBits)) {
    // A placeholder (32 × "a", "changeme" repeated) would make every key derived from it guessable.
    problems.push('secrets (GATEHOUSE_SECRET): a secret has too little entropy (repeated or too few different characters); generate one with `openssl rand -base64 32`');
  }
  if (config.inspector === '') config.inspector = config.dev === true ? 'on' : 'off';
  else if (config.inspector === 'on' && config.dev !== true) problems.push('inspector (GATEHOUSE_INSPECTOR): `on` shows every login to anyone and is for dev mode only; use `admins` (operators only) or `off`');
  // The metrics token is a secret too (docs/security.md SEC-296): the same floor as the server secret.
  const metricsToken = (config.metrics as GatehouseConfig['metrics']).token;
  if (metricsToken !== '' && (metricsToken.length < 32 || (config.dev !== true && estimatedSecretBits(metricsToken) < minimumSecretBits))) {
    problems.push('metrics.token (GATEHOUSE_METRICS_TOKEN): at least 32 characters of random text; generate one with `openssl rand -base64 32`');
  }
  if (config.dev === true) checkDevExposure(String(config.host), typeof config.publicUrl === 'string' ? config.publicUrl : undefined, problems);
  const session = config.session as GatehouseConfig['session'];
  if (session.idleTimeoutSeconds > session.absoluteTimeoutSeconds) {
    problems.push('session.idleTimeoutSeconds: must not exceed session.absoluteTimeoutSeconds');
  }
  checkPasskeySettings(config.passkeys as GatehouseConfig['passkeys'], typeof config.publicUrl === 'string' ? config.publicUrl : undefined, problems);
  checkCookieDomain(session, typeof config.publicUrl === 'string' ? config.publicUrl : undefined, problems);
  const forwardAuth = config.forwardAuth as GatehouseConfig['forwardAuth'];
  forwardAuth.accessRules = parseAccessRules(forwardAuth.rules, config.publicUrl as string | undefined, (config.allowedReturnOrigins as string[] | undefined) ?? [], problems);
  const oauth = config.oauth as GatehouseConfig['oauth'];
  oauth.providers = parseOAuthProviders(oauth, problems, config.dev === true ? 'https-or-loopback-http' : 'https-only');
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze({ ...(config as unknown as GatehouseConfig), devNotices });
}
