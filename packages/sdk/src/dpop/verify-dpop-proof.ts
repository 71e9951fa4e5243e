import { hash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { GatehouseTokenError } from '../errors.ts';
import type { DpopReplayCache } from './dpop-replay-cache.ts';

/**
 * The asymmetric algorithms a DPoP proof may use here (the same list the issuer advertises as
 * `dpop_signing_alg_values_supported`); named in the `algs` of a `WWW-Authenticate: DPoP` challenge.
 *
 * @example
 * import { dpopProofAlgorithms } from '@gatehouse/sdk';
 * dpopProofAlgorithms.includes('ES256'); // true
 */
export const dpopProofAlgorithms: readonly string[] = Object.freeze(['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);

/**
 * The request a DPoP-bound token arrived with: what the proof must match.
 *
 * @example
 * const request: DpopRequest = { proof: req.headers.dpop, method: req.method, url: 'https://api.example.com/notes' };
 */
export interface DpopRequest {
  /** The `DPoP` header value (undefined when absent; several values are refused). */
  proof: string | readonly string[] | undefined;
  /** The HTTP method, compared exactly with `htm`. */
  method: string;
  /** The URL the client addressed (scheme, host, path); compared with `htu` without query and fragment. */
  url: string;
}

/** @internal Limits of a proof check. */
export interface DpopCheckOptions {
  maxAgeSeconds: number;
  clockToleranceSeconds: number;
  nowMs: number;
  replays: DpopReplayCache;
}

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const invalid = (cause?: unknown): GatehouseTokenError => new GatehouseTokenError('dpop_proof_invalid', cause === undefined ? {} : { cause });

/** Scheme and host lower-cased, default port dropped, query and fragment ignored (RFC 9449 4.3). */
function comparableUrl(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? `${parsed.origin}${parsed.pathname}` : null;
}

/**
 * @internal RFC 9449 7.1 at a resource server: the proof is a `dpop+jwt` signed by the public key
 * in its header with an allowed algorithm, for this method and URL, recent, carrying `ath` (the
 * SHA-256 of this access token), signed by the key the token is bound to (`cnf.jkt`), and not seen
 * before. Every refusal is `dpop_proof_invalid`.
 */
export async function checkDpopProof(request: DpopRequest, accessToken: string, boundJkt: string, options: DpopCheckOptions): Promise<void> {
  const { proof } = request;
  if (typeof proof !== 'string' || proof.length > 8_192 || !compactJws.test(proof)) throw invalid();
  let payload: Record<string, unknown>;
  let jwk: JWK;
  try {
    const verified = await jwtVerify(
      proof,
      (protectedHeader, token) => {
        const embedded = protectedHeader.jwk as Record<string, unknown> | undefined;
        if (embedded !== undefined && privateMembers.some((member) => Object.hasOwn(embedded, member))) throw invalid();
        return EmbeddedJWK(protectedHeader, token);
      },
      {
        typ: 'dpop+jwt',
        algorithms: [...dpopProofAlgorithms],
        maxTokenAge: options.maxAgeSeconds,
        clockTolerance: options.clockToleranceSeconds,
        currentDate: new Date(options.nowMs),
        requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'],
      },
    );
    payload = verified.payload;
    jwk = verified.protectedHeader.jwk as JWK;
  } catch (error) {
    throw error instanceof GatehouseTokenError ? error : invalid(error);
  }
  if (payload['htm'] !== request.method) throw invalid();
  const htu = typeof payload['htu'] === 'string' ? comparableUrl(payload['htu']) : null;
  if (htu === null || htu !== comparableUrl(request.url)) throw invalid();
  if (payload['ath'] !== hash('sha256', accessToken, 'base64url')) throw invalid();
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw invalid();
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  if (jkt !== boundJkt) throw new GatehouseTokenError('dpop_key_mismatch');
  const keepUntilMs = Math.max((payload['iat'] as number) * 1000, options.nowMs) + (options.maxAgeSeconds + options.clockToleranceSeconds) * 1000;
  if (options.replays.remember(hash('sha256', `${jkt}\0${jti}`, 'base64url'), keepUntilMs, options.nowMs) === 'seen') throw new GatehouseTokenError('dpop_proof_replayed');
}
