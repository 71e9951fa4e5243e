/**
 * Every refusal of the SDK has a stable `code` listed here, with the HTTP status a resource server
 * should answer and the RFC 6750 `error` for the `WWW-Authenticate: Bearer` header (absent where
 * RFC 6750 3.1 says to send none: no token at all, or a failure on our side).
 *
 * Codes are part of the public API: never rename one. Titles are fixed text on purpose: nothing
 * from the token (a `kid`, a claim, jose's message) is ever put in `message`, so an error can be
 * logged or shown without carrying attacker-chosen bytes. The underlying jose error is in `cause`.
 *
 * @example
 * import { tokenErrorCatalog } from '@gatehouse/sdk';
 * tokenErrorCatalog.token_expired.status; // 401
 * tokenErrorCatalog.verifier_unavailable.status; // 503
 */
export const tokenErrorCatalog = {
  token_missing: { status: 401, bearerError: undefined, title: 'No access token was presented.' },
  token_malformed: { status: 401, bearerError: 'invalid_token', title: 'The access token is not a well-formed JWS compact JWT.' },
  token_missing_claim: { status: 401, bearerError: 'invalid_token', title: 'The access token lacks a required claim.' },
  token_expired: { status: 401, bearerError: 'invalid_token', title: 'The access token has expired.' },
  token_not_yet_valid: { status: 401, bearerError: 'invalid_token', title: 'The access token is not valid yet (nbf).' },
  token_invalid_signature: { status: 401, bearerError: 'invalid_token', title: 'The access token signature does not verify.' },
  token_wrong_issuer: { status: 401, bearerError: 'invalid_token', title: 'The access token was issued by another issuer.' },
  token_wrong_audience: { status: 401, bearerError: 'invalid_token', title: 'The access token is not meant for this audience.' },
  token_wrong_type: { status: 401, bearerError: 'invalid_token', title: 'The token is not an access token (typ is not at+jwt).' },
  token_algorithm_not_allowed: { status: 401, bearerError: 'invalid_token', title: 'The token signing algorithm is not allowed.' },
  token_unknown_key: { status: 401, bearerError: 'invalid_token', title: 'No key of the issuer matches the token.' },
  token_revoked: { status: 401, bearerError: 'invalid_token', title: 'The access token has been revoked.' },
  dpop_required: { status: 401, bearerError: 'invalid_token', title: 'The access token is bound to a DPoP key: send it as Authorization: DPoP with a DPoP proof.' },
  dpop_not_bound: { status: 401, bearerError: 'invalid_token', title: 'The access token is not DPoP-bound: send it as Authorization: Bearer.' },
  dpop_proof_invalid: { status: 401, bearerError: 'invalid_dpop_proof', title: 'The DPoP proof is malformed, not for this request or token, or too old.' },
  dpop_key_mismatch: { status: 401, bearerError: 'invalid_dpop_proof', title: 'The DPoP proof is signed with another key than the one the token is bound to.' },
  dpop_proof_replayed: { status: 401, bearerError: 'invalid_dpop_proof', title: 'The DPoP proof was already used.' },
  verifier_unavailable: { status: 503, bearerError: undefined, title: 'The verifier cannot vouch for tokens right now (issuer keys or revocation feed unavailable); try again shortly.' },
} as const satisfies Record<string, { status: 401 | 503; bearerError: 'invalid_token' | 'invalid_dpop_proof' | undefined; title: string }>;

/**
 * The stable code of a {@link GatehouseTokenError}.
 *
 * @example
 * import type { TokenErrorCode } from '@gatehouse/sdk';
 * const retryable: TokenErrorCode[] = ['verifier_unavailable'];
 */
export type TokenErrorCode = keyof typeof tokenErrorCatalog;

/**
 * Options of {@link GatehouseTokenError}.
 *
 * @example
 * new GatehouseTokenError('token_missing_claim', { claim: 'exp' });
 */
export interface GatehouseTokenErrorOptions {
  /** The error that led to this one (usually a jose error); for logs, never for clients. */
  cause?: unknown;
  /** The claim at fault, when one is (`exp`, `aud`, `sid`...). */
  claim?: string;
}

/**
 * The one error the SDK throws when it refuses a token. Every expected refusal is one of these,
 * so an adapter needs a single `instanceof` check and a lookup of `status`.
 *
 * @example
 * import { GatehouseTokenError } from '@gatehouse/sdk';
 * try {
 *   await verifier.verify(token);
 * } catch (error) {
 *   if (error instanceof GatehouseTokenError) reply.code(error.status).send({ code: error.code });
 *   else throw error;
 * }
 */
export class GatehouseTokenError extends Error {
  readonly code: TokenErrorCode;
  /** 401 for a refused token, 503 when the verifier cannot decide (keys unreachable). */
  readonly status: 401 | 503;
  /** RFC 6750 `error` for `WWW-Authenticate: Bearer` (or RFC 9449 `DPoP`), when one applies. */
  readonly bearerError: 'invalid_token' | 'invalid_dpop_proof' | undefined;
  readonly claim: string | undefined;

  constructor(code: TokenErrorCode, options: GatehouseTokenErrorOptions = {}) {
    super(tokenErrorCatalog[code].title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseTokenError';
    this.code = code;
    this.status = tokenErrorCatalog[code].status;
    this.bearerError = tokenErrorCatalog[code].bearerError;
    this.claim = options.claim;
  }
}
