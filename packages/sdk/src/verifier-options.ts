import type { JWTVerifyGetKey } from 'jose';
import { algorithmProblems, defaultAlgorithms, type VerifiableAlgorithm } from './algorithms.ts';
import { resolveRevocationFeedOptions, type ResolvedRevocationFeedOptions, type RevocationFeedOptions } from './revocation/revocation-feed-options.ts';
import { secureUrlProblems } from './secure-url.ts';

/**
 * Options of {@link createVerifier}.
 *
 * @example
 * const options: VerifierOptions = { issuer: 'https://auth.example.com', audience: 'https://api.example.com' };
 */
export interface VerifierOptions {
  /** The Gatehouse issuer, compared exactly with `iss`. */
  issuer: string;
  /** This resource server; the token's `aud` must contain (one of) it. */
  audience: string | readonly string[];
  /** Where the issuer's JWKS is; default `${issuer}/.well-known/jwks.json`. https, or http on loopback only. */
  jwksUri?: string | URL;
  /** The only algorithms accepted; default ['ES256', 'EdDSA', 'RS256']. HS* and none cannot be set. */
  algorithms?: readonly VerifiableAlgorithm[];
  /** Leeway for exp and nbf, in seconds; default 5. */
  clockToleranceSeconds?: number;
  /** How many verified tokens are remembered; default 10,000; 0 turns the cache off. */
  cacheMaxEntries?: number;
  /** The clock, in milliseconds since the epoch; default Date.now. Injected in tests. */
  now?: () => number;
  /** How old a DPoP proof may be, in seconds; default 60. */
  dpopMaxAgeSeconds?: number;
  /** How many accepted DPoP proofs are remembered to refuse their replay; default 100,000 (see DpopReplayCache). */
  dpopReplayCacheMaxEntries?: number;
  /** A key resolver used instead of fetching `jwksUri` (local keys, or tests); e.g. jose's createLocalJWKSet. */
  jwks?: JWTVerifyGetKey;
  /**
   * Follow the issuer's revocation feed, so that a session or token revoked at Gatehouse is refused
   * here within moments; while the feed is not known to be current, every token is refused with
   * `verifier_unavailable` (fail closed). Unset: revocation only through `revoke()`.
   */
  revocationFeed?: RevocationFeedOptions;
}

/** @internal The options once validated, with defaults applied; frozen. */
export interface ResolvedVerifierOptions {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksUri: URL | undefined;
  readonly algorithms: readonly VerifiableAlgorithm[];
  readonly clockToleranceSeconds: number;
  readonly cacheMaxEntries: number;
  readonly now: () => number;
  readonly dpopMaxAgeSeconds: number;
  readonly dpopReplayCacheMaxEntries: number;
  readonly jwks: JWTVerifyGetKey | undefined;
  readonly revocationFeed: ResolvedRevocationFeedOptions | undefined;
}

const knownOptions = new Set(['issuer', 'audience', 'jwksUri', 'algorithms', 'clockToleranceSeconds', 'cacheMaxEntries', 'now', 'jwks', 'revocationFeed', 'dpopMaxAgeSeconds', 'dpopReplayCacheMaxEntries']);

/**
 * @internal Validates the options once, listing every problem at once, and rejects unknown keys
 * (a misspelt `algorithm` must not silently leave the default in place).
 */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) throw new TypeError('createVerifier: options must be an object');
  for (const key of Object.keys(options)) if (!knownOptions.has(key)) problems.push(`unknown option ${JSON.stringify(key)}`);

  const { issuer, audience, algorithms = defaultAlgorithms, clockToleranceSeconds = 5, cacheMaxEntries = 10_000, now = Date.now, jwks, dpopMaxAgeSeconds = 60, dpopReplayCacheMaxEntries = 100_000 } = options;
  if (typeof issuer !== 'string' || issuer.length === 0) problems.push('issuer must be a non-empty string');
  const audiences: unknown[] = Array.isArray(audience) ? audience : [audience];
  if (audiences.length === 0 || !audiences.every((member) => typeof member === 'string' && member.length > 0)) {
    problems.push('audience must be a non-empty string or a non-empty array of them');
  }
  problems.push(...algorithmProblems(algorithms, 'algorithms'));
  if (typeof clockToleranceSeconds !== 'number' || !Number.isFinite(clockToleranceSeconds) || clockToleranceSeconds < 0) {
    problems.push('clockToleranceSeconds must be a finite number >= 0');
  }
  if (!Number.isSafeInteger(cacheMaxEntries) || cacheMaxEntries < 0) problems.push('cacheMaxEntries must be an integer >= 0');
  if (typeof dpopMaxAgeSeconds !== 'number' || !Number.isFinite(dpopMaxAgeSeconds) || dpopMaxAgeSeconds <= 0) problems.push('dpopMaxAgeSeconds must be a finite number > 0');
  if (!Number.isSafeInteger(dpopReplayCacheMaxEntries) || dpopReplayCacheMaxEntries < 1) problems.push('dpopReplayCacheMaxEntries must be an integer >= 1');
  if (typeof now !== 'function') problems.push('now must be a function returning milliseconds');
  if (jwks !== undefined && typeof jwks !== 'function') problems.push('jwks must be a key resolver function (e.g. createLocalJWKSet)');

  let jwksUri: URL | undefined;
  if (jwks !== undefined && options.jwksUri !== undefined) {
    problems.push('give jwksUri or jwks, not both');
  } else if (jwks === undefined && options.jwksUri !== undefined) {
    const [url, uriProblems] = secureUrlProblems(options.jwksUri, 'jwksUri');
    jwksUri = url;
    problems.push(...uriProblems);
  } else if (jwks === undefined && typeof issuer === 'string' && issuer.length > 0) {
    const [url, uriProblems] = secureUrlProblems(`${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`, 'the default jwksUri (from issuer)');
    jwksUri = url;
    problems.push(...uriProblems);
  }

  const [revocationFeed, feedProblems] = resolveRevocationFeedOptions(options.revocationFeed, issuer);
  problems.push(...feedProblems);

  if (problems.length > 0) throw new TypeError(`createVerifier: invalid options:\n- ${problems.join('\n- ')}`);
  return Object.freeze({
    issuer: issuer,
    audience: Object.freeze([...(audiences as string[])]),
    jwksUri,
    algorithms: Object.freeze([...algorithms]),
    clockToleranceSeconds,
    cacheMaxEntries,
    now,
    dpopMaxAgeSeconds,
    dpopReplayCacheMaxEntries,
    jwks,
    revocationFeed,
  });
}
