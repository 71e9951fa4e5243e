import * as client from 'openid-client';

/**
 * Why a provider's answer was refused, for the operator: which check failed, on which claim or
 * parameter, what was expected and what arrived, at which provider. Nothing in it is a secret:
 * values bound to the login attempt (state, nonce, the code and the hashes of it) are never
 * shown, only whether they were missing or different; no token, code or client secret appears.
 */
export interface ProviderFailureDiagnosis {
  provider: string;
  issuer: string;
  /** openid-client's error code (e.g. `OAUTH_JWT_CLAIM_COMPARISON_FAILED`), or the provider's OAuth `error`. */
  check: string;
  /** What failed, in openid-client's or the provider's words, e.g. `unexpected JWT "iss" (issuer) claim value`. */
  reason: string;
  /** The claim (ID token) or parameter (authorization response) that failed the check. */
  claim?: string;
  expected?: string;
  received?: string;
}

/** Values that would let someone finish or forge this login attempt: shown only as missing or different. */
const attemptBound = new Set(['state', 'nonce', 'code', 'c_hash', 'at_hash', 's_hash']);

const clean = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  // One line, bounded: the value came from the provider (or the network) and goes to logs.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').slice(0, 200);
};

function comparison(claim: string, expected: unknown, received: unknown): Pick<ProviderFailureDiagnosis, 'claim' | 'expected' | 'received'> {
  if (attemptBound.has(claim)) {
    return { claim, expected: '(the value bound to this login attempt)', received: received === undefined || received === null ? '(missing)' : '(a different value)' };
  }
  return { claim, expected: expected === undefined ? '(absent)' : clean(expected), received: received === undefined ? '(missing)' : clean(received) };
}

interface CauseShape {
  claim?: string;
  attribute?: string;
  expected?: unknown;
  claims?: Record<string, unknown>;
  body?: Record<string, unknown>;
  parameters?: URLSearchParams;
  now?: number;
  tolerance?: number;
}

/** The structured cause oauth4webapi attaches to a failed check, under openid-client's wrapper. */
function causeOf(error: Error): CauseShape | undefined {
  const inner = error.cause instanceof Error ? error.cause.cause : error.cause;
  return typeof inner === 'object' && inner !== null ? (inner as CauseShape) : undefined;
}

/**
 * Describes what openid-client (or the provider) refused, for the log line and the dev-mode error page.
 *
 * @example
 * const diagnosis = describeProviderFailure(error, { id: 'okta', issuer: 'https://dev-1.okta.com' });
 * // { provider: 'okta', check: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', claim: 'aud', expected: 'gatehouse', received: '["other"]', ... }
 */
export function describeProviderFailure(error: unknown, provider: { id: string; issuer: string }): ProviderFailureDiagnosis {
  const where = { provider: provider.id, issuer: provider.issuer };
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    // The provider itself said no: at the authorization endpoint, or at the token endpoint (a
    // client-authentication mismatch shows up here as invalid_client).
    const at = error instanceof client.ResponseBodyError ? ` (HTTP ${error.status} from the token endpoint)` : ' (authorization response)';
    return { ...where, check: clean(error.error), reason: `${clean(error.error_description ?? error.error)}${at}` };
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    // A 401 with WWW-Authenticate from the token endpoint: typically the client authentication was refused.
    const challenge = error.cause[0];
    const parameters = challenge?.parameters ?? {};
    const at = ` (HTTP ${error.status} from the token endpoint, WWW-Authenticate ${clean(challenge?.scheme ?? '')})`;
    return { ...where, check: clean(parameters['error'] ?? error.code), reason: `${clean(parameters['error_description'] ?? error.message)}${at}` };
  }
  if (!(error instanceof Error)) return { ...where, check: 'unknown', reason: clean(error) };
  const code = (error as { code?: unknown }).code;
  const check = typeof code === 'string' ? code : error.name;
  const reason = clean(error.cause instanceof Error ? error.cause.message : error.message);
  const cause = causeOf(error);
  if (cause === undefined) return { ...where, check, reason };
  if (typeof cause.claim === 'string') {
    if (cause.now !== undefined) {
      return { ...where, check, reason, claim: cause.claim, expected: `within ${String(cause.tolerance ?? 0)} s of ${new Date(cause.now * 1000).toISOString()}`, received: clean(cause.claims?.[cause.claim]) };
    }
    return { ...where, check, reason, ...comparison(cause.claim, cause.expected, cause.claims?.[cause.claim]) };
  }
  if (typeof cause.attribute === 'string') return { ...where, check, reason, ...comparison(cause.attribute, cause.expected, cause.body?.[cause.attribute]) };
  if (cause.parameters instanceof URLSearchParams) {
    // An authorization-response parameter: RFC 9207 `iss`, or `state`.
    const parameter = /"(\w+)"/.exec(reason)?.[1] ?? 'unknown';
    return { ...where, check, reason, ...comparison(parameter, cause.expected, cause.parameters.get(parameter) ?? undefined) };
  }
  return { ...where, check, reason };
}
