import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose';
import { AuthError } from '../errors.ts';
import type { Clock, ReplayRecordStore } from '../ports.ts';
import type { TraceRecorder } from '../trace/ports.ts';

/**
 * The algorithms a DPoP proof may be signed with: asymmetric only (a proof signed with a shared
 * secret proves nothing about a key pair), and never `none`. Advertised as
 * `dpop_signing_alg_values_supported`; jose checks the list before it imports the embedded key.
 */
export const dpopSigningAlgorithms = Object.freeze(['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'] as const);

/** A proof older than this is refused (RFC 9449 11.1: a short window bounds pre-generated proofs). */
export const dpopProofMaxAgeSeconds = 60;
/**
 * Clock skew allowed for a proof's `iat`, both ways: a client's clock 10 seconds ahead is still
 * accepted (the OpenID conformance suite's DPoP modules send such proofs).
 */
export const dpopClockSkewSeconds = 15;

// A proof is a small JWS; anything longer is refused before parsing.
const maxProofLength = 8_192;
const maxJtiLength = 256;
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
// RFC 7517/7518 private members: a JWK carrying any of them is a private (or secret) key.
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface DpopProofDeps {
  clock: Clock;
  store: { replayRecords: ReplayRecordStore };
  /** The inspector's recorder: each proof's checks and result, as one step (no proof, no token). */
  trace?: TraceRecorder;
}

/** What the proof must match: the request it came with. */
export interface DpopProofRequest {
  /** The compact JWS from the `DPoP` header. */
  proof: string;
  /** The request's method, compared exactly with `htm`. */
  method: string;
  /** The request's URL as the client addressed it; compared with `htu` without query and fragment. */
  url: string;
  /** At a resource server (or userinfo): the access token, whose SHA-256 the proof's `ath` must be. */
  accessToken?: string;
}

/** A proof that passed every check: the thumbprint (RFC 7638) of the key that signed it. */
export interface VerifiedDpopProof {
  jkt: string;
}

const refuse = (detail: string): AuthError => new AuthError('invalid_dpop_proof', { detail });

/**
 * RFC 9449 section 4.3 and 11.1, the URL part: scheme and host are case-insensitive, a default
 * port is the same as none, and the query and fragment are ignored. The WHATWG URL parser does
 * that normalisation; anything it cannot parse never matches.
 */
export function normalizeHtu(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Verifies a DPoP proof (RFC 9449 4.3) for one request, then records its `jti` so the same proof
 * is refused the next time, on any instance (the record is stored, not kept in this process):
 *
 * - a compact JWS with `typ: dpop+jwt`, an allowed asymmetric `alg`, and a public `jwk` in the
 *   header that verifies the signature (jose's EmbeddedJWK; private members are refused first);
 * - `htm` equals the method and `htu` the URL (normalised, query and fragment ignored);
 * - `iat` at most {@link dpopProofMaxAgeSeconds} old and not in the future (with skew);
 * - `jti` present, bounded, and never seen before for this key;
 * - `ath`, when an access token is given, is its base64url SHA-256.
 *
 * Every refusal is `invalid_dpop_proof`. No server nonce is required (RFC 9449 8 is optional).
 *
 * @example
 * const { jkt } = await verifyDpopProof(deps, { proof: request.headers.dpop, method: 'POST', url: `${issuer}/v1/token` });
 */
export async function verifyDpopProof(deps: DpopProofDeps, request: DpopProofRequest): Promise<VerifiedDpopProof> {
  const where = `${request.method} ${normalizeHtu(request.url) ?? request.url}`;
  try {
    const verified = await checkDpopProof(deps, request);
    deps.trace?.step({
      kind: 'decision',
      title: 'DPoP proof verified',
      outcome: 'ok',
      detail: {
        for: where,
        keyThumbprint: verified.jkt,
        alg: verified.alg,
        checks: [
          'typ is dpop+jwt',
          `alg one of ${dpopSigningAlgorithms.join(', ')} (never none or a shared secret)`,
          'signature by the public key in its jwk header (no private members)',
          'htm and htu match this request',
          `iat within ${String(dpopProofMaxAgeSeconds)} s (skew ${String(dpopClockSkewSeconds)} s)`,
          'jti never seen before for this key (replay record)',
          ...(request.accessToken === undefined ? [] : ['ath is the SHA-256 of this access token']),
        ],
      },
      teach: 'dpop',
    });
    return { jkt: verified.jkt };
  } catch (error) {
    if (error instanceof AuthError) deps.trace?.step({ kind: 'decision', title: `DPoP proof refused: ${error.detail ?? error.code}`, outcome: 'refused', detail: { for: where, code: error.code }, teach: 'dpop' });
    throw error;
  }
}

async function checkDpopProof(deps: DpopProofDeps, request: DpopProofRequest): Promise<VerifiedDpopProof & { alg: string }> {
  const { proof } = request;
  if (proof.length > maxProofLength || !compactJws.test(proof)) throw refuse('The DPoP header is not one compact JWS.');
  const nowMs = deps.clock.nowMs();
  let header: { jwk?: JWK; alg?: string };
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(
      proof,
      async (protectedHeader, token) => {
        const jwk = protectedHeader.jwk as Record<string, unknown> | undefined;
        if (jwk !== undefined && typeof jwk === 'object' && privateMembers.some((member) => Object.hasOwn(jwk, member))) {
          throw refuse('The DPoP proof header carries a private key.');
        }
        return EmbeddedJWK(protectedHeader, token);
      },
      {
        typ: 'dpop+jwt',
        algorithms: [...dpopSigningAlgorithms],
        maxTokenAge: dpopProofMaxAgeSeconds,
        clockTolerance: dpopClockSkewSeconds,
        currentDate: new Date(nowMs),
        requiredClaims: ['jti', 'htm', 'htu', 'iat'],
      },
    );
    header = verified.protectedHeader as { jwk?: JWK; alg?: string };
    payload = verified.payload;
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw refuse(`The DPoP proof does not verify (${(error as { code?: string }).code ?? 'invalid'}).`);
  }

  if (payload['htm'] !== request.method) throw refuse('The DPoP proof is for another HTTP method.');
  const htu = typeof payload['htu'] === 'string' ? normalizeHtu(payload['htu']) : null;
  if (htu === null || htu !== normalizeHtu(request.url)) throw refuse('The DPoP proof is for another URL.');
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > maxJtiLength) throw refuse('The DPoP proof has no usable jti.');
  if (request.accessToken !== undefined) {
    const expected = createHash('sha256').update(request.accessToken).digest('base64url');
    if (payload['ath'] !== expected) throw refuse('The DPoP proof is not for this access token (ath).');
  }

  const jkt = await calculateJwkThumbprint(header.jwk as JWK, 'sha256');
  // Kept until the proof's iat is out of the window anyway: then it would be refused as too old.
  const iatMs = (payload['iat'] as number) * 1000;
  const keepUntilMs = Math.max(iatMs, nowMs) + (dpopProofMaxAgeSeconds + dpopClockSkewSeconds) * 1000;
  const key = createHash('sha256').update(`dpop\0${jkt}\0${jti}`).digest('base64url');
  if ((await deps.store.replayRecords.remember(key, keepUntilMs)) === 'seen') throw refuse('This DPoP proof was already used.');
  return { jkt, alg: header.alg ?? '' };
}
