import { Buffer } from 'node:buffer';
import type { RevocationFeedError } from './revocation-feed-error.ts';
import { secureUrlProblems } from '../secure-url.ts';

/**
 * One revocation as the feed delivered it, once the verifier has applied it.
 *
 * @example
 * const onRevocation = (entry: RevocationFeedEntry): void => console.log(entry.seq, entry.sid ?? entry.jti);
 */
export interface RevocationFeedEntry {
  /** The feed's sequence number: ascending, the verifier resumes after the highest it has applied. */
  readonly seq: number;
  readonly sid?: string;
  readonly jti?: string;
  readonly expiresAtMs: number;
}

/**
 * The `revocationFeed` option of {@link createVerifier}: how to follow the issuer's feed of revoked
 * sessions and tokens (`GET {issuer}/v1/revocations`, server-sent events).
 *
 * The verifier connects at creation, applies every revocation with `revoke()`, and reconnects after
 * a break (250 ms doubling to 5 s, jittered), resuming after the last sequence number it applied.
 * It fails closed: whenever the feed has not shown it is current (caught up, then a heartbeat or
 * an event) within `maxStalenessMs`, `verify()` throws `verifier_unavailable` (503). Right after
 * creation, `verify()` waits up to `startupTimeoutMs` (default 5 s) for the first catch-up, so a
 * verifier that has just started never accepts a token revoked before it started, and an
 * unreachable feed fails its first requests within seconds rather than holding them. The feed keeps the process alive
 * until `close()`.
 *
 * @example
 * import { createVerifier } from '@gatehouse/sdk';
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   revocationFeed: { clientId: 'cli_notes_api', clientSecret: process.env.GATEHOUSE_CLIENT_SECRET! },
 * });
 * await verifier.ready(); // optional: resolves once the feed has caught up
 */
export interface RevocationFeedOptions {
  /** The OAuth client the resource server authenticates as (HTTP Basic, RFC 6749 2.3.1). */
  clientId: string;
  clientSecret: string;
  /** Default `${issuer}/v1/revocations`. https, or http on loopback only. */
  url?: string | URL;
  /**
   * How long the feed may go without a sign that it is current before tokens are refused; default
   * 30,000. Keep it above the server's heartbeat interval (15 s), or a quiet but healthy feed will
   * be taken for a dead one.
   */
  maxStalenessMs?: number;
  /**
   * How long `verify()` (and `ready()`) waits, right after creation, for the feed's first catch-up
   * before failing closed with `verifier_unavailable`; default 5,000, at most `maxStalenessMs`.
   */
  startupTimeoutMs?: number;
  /** Called after each revocation from the feed is applied. Must not throw (it is reported to `onError`). */
  onRevocation?: (entry: RevocationFeedEntry) => void;
  /** Called with each failed connection, broken stream, and when the feed turns stale; for logs. */
  onError?: (error: RevocationFeedError) => void;
}

/** @internal The feed options once validated, with defaults applied; frozen. */
export interface ResolvedRevocationFeedOptions {
  readonly url: URL;
  /** The whole `Authorization` header value: the secret is not kept in any other form. */
  readonly authorization: string;
  readonly maxStalenessMs: number;
  readonly startupTimeoutMs: number;
  readonly onRevocation: ((entry: RevocationFeedEntry) => void) | undefined;
  readonly onError: ((error: RevocationFeedError) => void) | undefined;
}

const knownOptions = new Set(['clientId', 'clientSecret', 'url', 'maxStalenessMs', 'startupTimeoutMs', 'onRevocation', 'onError']);
/** Node's timers clamp a longer delay to 1 ms, which would make every feed stale at once. */
const maxTimerDelayMs = 2 ** 31 - 1;

/**
 * @internal `Authorization: Basic` for client credentials per RFC 6749 2.3.1: the client id and the
 * secret are each application/x-www-form-urlencoded (space as `+`, every byte but `A-Za-z0-9*-._`
 * percent-encoded as UTF-8) before being joined with `:` and base64-encoded, so a `:` in the id or
 * a non-ASCII secret survive the trip.
 */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const formEncode = (value: string): string => new URLSearchParams([['', value]]).toString().slice(1);
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

/** @internal Validates `revocationFeed`, listing every problem; `[undefined, []]` when it is unset. */
export function resolveRevocationFeedOptions(value: unknown, issuer: unknown): [ResolvedRevocationFeedOptions | undefined, string[]] {
  if (value === undefined) return [undefined, []];
  if (typeof value !== 'object' || value === null) return [undefined, ['revocationFeed must be an object']];
  const options = value as Partial<Record<keyof RevocationFeedOptions, unknown>>;
  const problems: string[] = [];
  for (const key of Object.keys(options)) if (!knownOptions.has(key)) problems.push(`unknown option ${JSON.stringify(`revocationFeed.${key}`)}`);

  const { clientId, clientSecret, maxStalenessMs = 30_000, onRevocation, onError } = options;
  const stalenessOk = typeof maxStalenessMs === 'number' && Number.isFinite(maxStalenessMs) && maxStalenessMs > 0 && maxStalenessMs <= maxTimerDelayMs;
  const { startupTimeoutMs = stalenessOk ? Math.min(5_000, maxStalenessMs) : 5_000 } = options;
  if (typeof clientId !== 'string' || clientId.length === 0) problems.push('revocationFeed.clientId must be a non-empty string');
  if (typeof clientSecret !== 'string' || clientSecret.length === 0) problems.push('revocationFeed.clientSecret must be a non-empty string');
  if (typeof maxStalenessMs !== 'number' || !Number.isFinite(maxStalenessMs) || maxStalenessMs <= 0 || maxStalenessMs > maxTimerDelayMs) {
    problems.push(`revocationFeed.maxStalenessMs must be a number of milliseconds > 0 and <= ${maxTimerDelayMs}`);
  }
  if (typeof startupTimeoutMs !== 'number' || !Number.isFinite(startupTimeoutMs) || startupTimeoutMs <= 0 || (stalenessOk && startupTimeoutMs > maxStalenessMs)) {
    problems.push('revocationFeed.startupTimeoutMs must be a number of milliseconds > 0 and <= maxStalenessMs');
  }
  if (onRevocation !== undefined && typeof onRevocation !== 'function') problems.push('revocationFeed.onRevocation must be a function');
  if (onError !== undefined && typeof onError !== 'function') problems.push('revocationFeed.onError must be a function');

  let url: URL | undefined;
  let urlProblems: string[] = [];
  if (options.url !== undefined) {
    [url, urlProblems] = secureUrlProblems(options.url, 'revocationFeed.url');
  } else if (typeof issuer === 'string' && issuer.length > 0) {
    [url, urlProblems] = secureUrlProblems(`${issuer.replace(/\/+$/, '')}/v1/revocations`, 'the default revocationFeed.url (from issuer)');
  }
  problems.push(...urlProblems);
  // fetch refuses such a URL; and credentials belong in the Authorization header, nowhere else.
  if (url !== undefined && (url.username !== '' || url.password !== '')) problems.push('revocationFeed.url must not contain credentials');

  if (problems.length > 0 || url === undefined) return [undefined, problems];
  return [
    Object.freeze({
      url,
      authorization: basicAuthorization(clientId as string, clientSecret as string),
      maxStalenessMs: maxStalenessMs as number,
      startupTimeoutMs: startupTimeoutMs as number,
      onRevocation: onRevocation as ResolvedRevocationFeedOptions['onRevocation'],
      onError: onError as ResolvedRevocationFeedOptions['onError'],
    }),
    [],
  ];
}

