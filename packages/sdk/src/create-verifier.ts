import { hash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { toAccessTokenClaims, type AccessTokenClaims } from './access-token-claims.ts';
import { GatehouseTokenError } from './errors.ts';
import { RevocationFeed } from './revocation/revocation-feed.ts';
import { RevocationList, type RevocationEntry } from './revocation/revocation-list.ts';
import { keyResolutionError, toTokenError, type VerificationStage } from './to-token-error.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';
import { DpopReplayCache } from './dpop/dpop-replay-cache.ts';
import { checkDpopProof, type DpopRequest } from './dpop/verify-dpop-proof.ts';
import { resolveVerifierOptions, type VerifierOptions } from './verifier-options.ts';

/**
 * A verifier of Gatehouse access tokens, made by {@link createVerifier}.
 *
 * @example
 * const claims = await verifier.verify(token); // throws GatehouseTokenError when refused
 * verifier.revoke({ sid: claims.sid, expiresAtMs: claims.exp * 1000 });
 * await verifier.ready(); // with a revocationFeed: once it has caught up
 * verifier.close();
 */
export interface Verifier {
  /**
   * The claims of `token` if it is a valid, unrevoked access token for this audience; otherwise
   * throws {@link GatehouseTokenError}. Pass `dpop` when the token came as `Authorization: DPoP`:
   * a token bound to a key (`cnf.jkt`) is accepted only that way, with a proof by that key for
   * this request; an unbound token only without it.
   */
  verify(token: string, dpop?: DpopRequest): Promise<AccessTokenClaims>;
  /** Refuses, from now until `expiresAtMs`, every token with this `sid` and/or `jti`, already verified or not. */
  revoke(entry: RevocationEntry): void;
  /**
   * Resolves once the revocation feed has caught up for the first time (at once without a feed);
   * rejects if the verifier is closed before. Optional: `verify()` waits for the catch-up itself.
   */
  ready(): Promise<void>;
  /** Stops the revocation feed, forgets cached tokens and revocations; every later `verify` fails with `verifier_unavailable`. */
  close(): void;
}

/**
 * Three base64url segments and nothing else: no whitespace, padding or '+/' that a lenient base64
 * decoder would skip over, no JSON serialization. Checked only on a cache miss: a hit is a string
 * identical to one that passed.
 */
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** The claims every Gatehouse access token carries (RFC 9068 2.2); `sid` too, but for a client's own token (access-token-claims.ts). */
const requiredClaims = ['exp', 'iat', 'sub', 'jti', 'client_id'];

/**
 * Creates a verifier of Gatehouse access tokens (RFC 9068 JWTs) for a resource server.
 *
 * What it checks, in order: the token is a JWS compact string; its `alg` is in `algorithms`
 * (before any key is looked up, so `none` and HS256-with-the-public-key never reach a key);
 * no unknown `crit`; the key is found by `kid` in the issuer's JWKS only, never from the token's
 * own `jwk`, `jku`, `x5u` or `x5c`; the signature; `typ` is `at+jwt`; `iss`, `aud`, `exp`, `nbf`
 * with `clockToleranceSeconds`; the required claims; then revocation by `sid` and `jti`; then, for
 * a DPoP-bound token (`cnf.jkt`, RFC 9449), the proof of the request: `dpop+jwt` signed by the
 * bound key, `htm`/`htu` of this request, `ath` of this token, `iat` within `dpopMaxAgeSeconds`,
 * and a `jti` not seen before by this verifier.
 *
 * The JWKS is fetched with jose's remote key set: cached 10 minutes, refetched at most every
 * 30 seconds when a token names an unknown `kid` (so a key rotation is picked up, but a flood of
 * made-up `kid`s cannot turn into a flood of fetches), each fetch timing out after 5 seconds.
 *
 * Verified tokens are cached (SHA-256 of the token string, LRU, `cacheMaxEntries`) so a token seen
 * before costs a hash and two map lookups; `exp` and revocation are still checked on every call.
 * A key removed from the JWKS does not un-verify cached tokens before their `exp`: keep access
 * tokens short-lived, and revoke by `sid`/`jti` what must stop at once.
 *
 * With `revocationFeed`, revocations come from the issuer as they happen (see
 * {@link RevocationFeedOptions}); while the feed is not known to be current, `verify()` refuses
 * every token with `verifier_unavailable` rather than accept one that may have been revoked.
 *
 * @example
 * import { createVerifier, GatehouseTokenError } from '@gatehouse/sdk';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * try {
 *   const claims = await verifier.verify(bearerToken);
 *   console.log(claims.sub, claims.scope);
 * } catch (error) {
 *   if (error instanceof GatehouseTokenError) console.log(error.status, error.code); // 401 token_expired
 *   else throw error;
 * }
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const config = resolveVerifierOptions(options);
  const keySource: JWTVerifyGetKey =
    config.jwks ??
    createRemoteJWKSet(config.jwksUri as URL, { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 });
  const resolveKey: JWTVerifyGetKey = async (protectedHeader, token) => {
    try {
      return await keySource(protectedHeader, token);
    } catch (error) {
      throw keyResolutionError(error);
    }
  };
  const cache = new VerifiedTokenCache(config.cacheMaxEntries);
  const dpopReplays = new DpopReplayCache(config.dpopReplayCacheMaxEntries);
  const revocations = new RevocationList();
  const verifyOptions = {
    algorithms: [...config.algorithms],
    issuer: config.issuer,
    audience: [...config.audience],
    typ: 'at+jwt',
    requiredClaims,
    clockTolerance: config.clockToleranceSeconds,
  };
  let closed = false;

  function refuseIfRevoked(claims: AccessTokenClaims, nowMs: number): AccessTokenClaims {
    if (revocations.isRevoked(claims, nowMs)) throw new GatehouseTokenError('token_revoked');
    return claims;
  }

  /** RFC 9449 7: a bound token only with a proof by its key; an unbound one only as Bearer. */
  async function checkBinding(claims: AccessTokenClaims, token: string, dpop: DpopRequest | undefined, nowMs: number): Promise<AccessTokenClaims> {
    const cnf = claims.payload['cnf'] as { jkt?: unknown } | undefined;
    const jkt = typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
    if (jkt === undefined) {
      if (dpop !== undefined) throw new GatehouseTokenError('dpop_not_bound');
      return claims;
    }
    if (dpop === undefined) throw new GatehouseTokenError('dpop_required');
    await checkDpopProof(dpop, token, jkt, { maxAgeSeconds: config.dpopMaxAgeSeconds, clockToleranceSeconds: config.clockToleranceSeconds, nowMs, replays: dpopReplays });
    return claims;
  }

  async function verifyUncached(token: string, nowMs: number): Promise<AccessTokenClaims> {
    if (!compactJws.test(token)) throw new GatehouseTokenError('token_malformed');
    let stage: VerificationStage = 'before-key-resolution';
    const getKey: JWTVerifyGetKey = (protectedHeader, jws) => {
      stage = 'after-key-resolution';
      return resolveKey(protectedHeader, jws);
    };
    try {
      const { payload } = await jwtVerify(token, getKey, { ...verifyOptions, currentDate: new Date(nowMs) });
      return toAccessTokenClaims(payload);
    } catch (error) {
      throw toTokenError(error, stage);
    }
  }

  const verifier: Verifier = {
    async verify(token: string, dpop?: DpopRequest): Promise<AccessTokenClaims> {
      if (closed) throw new GatehouseTokenError('verifier_unavailable');
      if (token === undefined || token === null || token === '') throw new GatehouseTokenError('token_missing');
      if (typeof token !== 'string') throw new GatehouseTokenError('token_malformed');
      if (feed !== undefined && !feed.current) {
        await feed.startup; // just created: wait (boundedly) for the first catch-up
        if (closed) throw new GatehouseTokenError('verifier_unavailable');
        if (!feed.current) throw feed.unavailable();
      }
      const nowMs = config.now();
      const cacheKey = hash('sha256', token, 'base64url');
      const cached = cache.get(cacheKey, Math.floor(nowMs / 1000), config.clockToleranceSeconds);
      if (cached !== undefined) return checkBinding(refuseIfRevoked(cached, nowMs), token, dpop, nowMs);
      const claims = refuseIfRevoked(await verifyUncached(token, nowMs), nowMs);
      if (feed !== undefined && !feed.current) throw feed.unavailable(); // went stale while the key was fetched
      if (!closed) cache.set(cacheKey, claims);
      return checkBinding(claims, token, dpop, nowMs);
    },

    revoke(entry: RevocationEntry): void {
      if (typeof entry !== 'object' || entry === null) throw new TypeError('revoke: entry must be an object');
      const { sid, jti, expiresAtMs } = entry;
      const problems: string[] = [];
      if (sid === undefined && jti === undefined) problems.push('give sid, jti or both');
      if (sid !== undefined && (typeof sid !== 'string' || sid.length === 0)) problems.push('sid must be a non-empty string');
      if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0)) problems.push('jti must be a non-empty string');
      if (typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs)) problems.push('expiresAtMs must be a finite number of milliseconds');
      if (problems.length > 0) throw new TypeError(`revoke: ${problems.join('; ')}`);
      if (!closed) revocations.add(entry, config.now());
    },

    ready(): Promise<void> {
      return feed === undefined ? Promise.resolve() : feed.ready();
    },

    close(): void {
      closed = true;
      feed?.close();
      cache.clear();
      dpopReplays.clear();
      revocations.clear();
    },
  };
  // Started last: what the feed delivers goes through verifier.revoke(), validated like any call.
  const feed = config.revocationFeed === undefined ? undefined : new RevocationFeed(config.revocationFeed, (entry) => verifier.revoke(entry));
  return verifier;
}
