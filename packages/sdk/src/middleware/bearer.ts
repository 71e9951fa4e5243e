import type { IncomingMessage } from 'node:http';
import type { AccessTokenClaims } from '../access-token-claims.ts';
import { GatehouseTokenError } from '../errors.ts';
import { dpopProofAlgorithms, type DpopRequest } from '../dpop/verify-dpop-proof.ts';

/**
 * RFC 6750 2.1: `credentials = "Bearer" 1*SP b64token`, the scheme case-insensitive (RFC 9110
 * 11.1), b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". Anchored, one
 * token and nothing after it. The character class excludes "=" and " ", so the match is linear.
 */
const bearerCredentials = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
/** RFC 9449 7.1: the DPoP scheme carries the same token68 syntax. */
const dpopCredentials = /^dpop +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Surrounding SP and HTAB are not part of a field value (RFC 9110 5.5); most parsers strip them
 * already. Only those two: String#trim would also drop e.g. U+00A0 (a latin1 byte Node lets
 * through). A loop, not `/[ \t]+$/`, which backtracks quadratically over a long run of spaces.
 */
function trimOptionalWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value[start] === ' ' || value[start] === '\t')) start += 1;
  while (end > start && (value[end - 1] === ' ' || value[end - 1] === '\t')) end -= 1;
  return value.slice(start, end);
}

/**
 * The access token of a request, from its `Authorization` header value (RFC 6750 2.1 only).
 *
 * Form-encoded body parameters and URI query parameters (RFC 6750 2.2 and 2.3) are deliberately
 * not read: a token in a URL ends up in logs, history and `Referer`, and a body token makes every
 * form a way to present one. Throws {@link GatehouseTokenError}:
 * - `token_missing` when there is no header, or it uses another scheme (`Basic ...`, or a bare
 *   token with no scheme): the client did not try Bearer, so RFC 6750 3.1 says to answer without
 *   an error code;
 * - `token_malformed` when it starts with `Bearer` but is not `Bearer`, one or more spaces and
 *   exactly one b64token (no token, two tokens, a comma, a tab, a quoted token, no space, several
 *   `Authorization` headers).
 *
 * @example
 * import { extractBearerToken } from '@gatehouse/sdk';
 * extractBearerToken('Bearer eyJhbGciOi...'); // 'eyJhbGciOi...'
 * extractBearerToken(undefined); // throws GatehouseTokenError token_missing
 * extractBearerToken('Bearer a b'); // throws GatehouseTokenError token_malformed
 */
export function extractBearerToken(authorization: string | readonly string[] | undefined | null): string {
  if (authorization === undefined || authorization === null) throw new GatehouseTokenError('token_missing');
  // Node keeps the first of repeated Authorization headers; other stacks may hand over a list.
  // Which one is meant cannot be known, so more than one is refused rather than picked from.
  if (typeof authorization !== 'string') {
    if (authorization.length === 1 && typeof authorization[0] === 'string') return extractBearerToken(authorization[0]);
    if (authorization.length === 0) throw new GatehouseTokenError('token_missing');
    throw new GatehouseTokenError('token_malformed');
  }
  const value = trimOptionalWhitespace(authorization);
  if (value === '') throw new GatehouseTokenError('token_missing');
  const token = bearerCredentials.exec(value)?.[1];
  if (token !== undefined) return token;
  // Anything starting with "bearer" was an attempt at Bearer (`Bearer`, `Bearer a b`, `Bearer<token>`)
  // and is told it is invalid; anything else (`Basic ...`, a bare token) did not try Bearer at all.
  if (/^bearer/i.test(value)) throw new GatehouseTokenError('token_malformed');
  throw new GatehouseTokenError('token_missing');
}

/**
 * Options shared by every Gatehouse middleware.
 *
 * @example
 * const options: GatehouseMiddlewareOptions = { realm: 'notes-api' };
 */
export interface GatehouseMiddlewareOptions {
  /** The protection space named in `WWW-Authenticate: Bearer realm="..."`; default `api`. Printable ASCII without `"` or `\`. */
  realm?: string;
  /**
   * The origin clients address this API by (`https://api.example.com`), to check a DPoP proof's
   * `htu` behind a proxy. Default: the request's own scheme and `Host` header.
   */
  publicOrigin?: string;
}

/** @internal The options once validated; frozen. */
export interface ResolvedMiddlewareOptions {
  readonly realm: string;
  readonly publicOrigin: string | undefined;
}

const knownOptions = new Set(['realm', 'publicOrigin']);

/**
 * The realm goes inside a quoted-string (RFC 9110 11.2). Allowing only what RFC 6750 3 allows in
 * `error_description` (%x20-21 / %x23-5B / %x5D-7E) leaves no quote, escape or control character to get wrong.
 */
const quotedStringSafe = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

/** @internal Validates middleware options once, when the middleware is made, listing every problem. */
export function resolveMiddlewareOptions(options: GatehouseMiddlewareOptions | undefined, caller: string): ResolvedMiddlewareOptions {
  const problems: string[] = [];
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError(`${caller}: options must be an object`);
  for (const key of Object.keys(options ?? {})) if (!knownOptions.has(key)) problems.push(`unknown option ${JSON.stringify(key)}`);
  const realm = options?.realm ?? 'api';
  if (typeof realm !== 'string' || realm.length === 0 || !quotedStringSafe.test(realm)) {
    problems.push('realm must be a non-empty string of printable ASCII without " or \\');
  }
  const publicOrigin = options?.publicOrigin;
  if (publicOrigin !== undefined && (typeof publicOrigin !== 'string' || !URL.canParse(publicOrigin) || new URL(publicOrigin).origin !== publicOrigin.replace(/\/$/, ''))) {
    problems.push('publicOrigin must be an origin such as https://api.example.com');
  }
  if (problems.length > 0) throw new TypeError(`${caller}: invalid options:\n- ${problems.join('\n- ')}`);
  return Object.freeze({ realm, publicOrigin: publicOrigin === undefined ? undefined : new URL(publicOrigin).origin });
}

/** @internal A verifier as the middleware needs it: only `verify`, so tests and wrappers can pass their own. */
export interface TokenVerifier {
  verify(token: string, dpop?: DpopRequest): Promise<AccessTokenClaims>;
}

/**
 * @internal What an adapter reads from a request: the credentials, and for a DPoP token where it
 * was sent (method, and the URL from `publicOrigin` or the request's scheme and `Host` + its path).
 */
export interface PresentedRequest {
  authorization: string | readonly string[] | undefined;
  dpop?: string | readonly string[] | undefined;
  method?: string | undefined;
  /** The request target (path and query). */
  path?: string | undefined;
  /** `https` or `http`, as the request arrived. */
  protocol?: string | undefined;
  host?: string | readonly string[] | undefined;
  /** The whole URL, when the framework knows it (hono); wins over protocol, host and path. */
  url?: string | undefined;
}

/** @internal Refuses a middleware made without a verifier at once, not at the first request. */
export function assertVerifier(verifier: unknown, caller: string): asserts verifier is TokenVerifier {
  if (typeof verifier !== 'object' || verifier === null || typeof (verifier as { verify?: unknown }).verify !== 'function') {
    throw new TypeError(`${caller}: the first argument must be a verifier made by createVerifier`);
  }
}

/**
 * The HTTP answer to a refused request, ready for any framework: status, headers and a body.
 *
 * @example
 * const refusal: BearerRefusal = bearerRefusal(error, { realm: 'api' });
 * response.writeHead(refusal.status, refusal.headers).end(refusal.body);
 */
export interface BearerRefusal {
  /** 401, or 503 when the verifier could not decide (the issuer's keys are unreachable). */
  readonly status: 401 | 503;
  /** `content-type`, and for a 401 the `www-authenticate` challenge (RFC 6750 3). */
  readonly headers: Readonly<Record<string, string>>;
  /** `application/problem+json` (RFC 9457) with the stable `code`: `{type, title, status, code}`. */
  readonly body: string;
}

/**
 * The answer a resource server gives when a token is refused, per RFC 6750 3 and 3.1:
 * - `token_missing` (no credentials, or another scheme): 401 and `Bearer realm="..."`, no error code;
 * - any other refusal: 401 and `Bearer realm="...", error="invalid_token", error_description="..."`;
 * - `verifier_unavailable`: 503 and no challenge, since the client's token is not at fault.
 *
 * The description is the error's fixed title, never text taken from the token.
 *
 * @example
 * import { bearerRefusal, extractBearerToken, GatehouseTokenError } from '@gatehouse/sdk';
 * // For a framework without an adapter (here a koa-like `ctx`):
 * try {
 *   ctx.state.claims = await verifier.verify(extractBearerToken(ctx.get('authorization')));
 * } catch (error) {
 *   if (!(error instanceof GatehouseTokenError)) throw error;
 *   const refusal = bearerRefusal(error, { realm: 'api' });
 *   ctx.status = refusal.status;
 *   ctx.set(refusal.headers);
 *   ctx.body = refusal.body;
 * }
 */
export function bearerRefusal(error: GatehouseTokenError, options: GatehouseMiddlewareOptions = {}): BearerRefusal {
  if (!(error instanceof GatehouseTokenError)) throw new TypeError('bearerRefusal: error must be a GatehouseTokenError');
  return refusalFor(error, resolveMiddlewareOptions(options, 'bearerRefusal'));
}

function refusalFor(error: GatehouseTokenError, options: ResolvedMiddlewareOptions): BearerRefusal {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (error.status === 401) {
    const params = [`realm="${options.realm}"`];
    // The catalog's titles are fixed ASCII; filtering anyway keeps the header valid whatever a title becomes.
    if (error.bearerError !== undefined) params.push(`error="${error.bearerError}"`, `error_description="${error.message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '')}"`);
    // RFC 9449 7.1: a refusal about DPoP is a DPoP challenge, naming the algorithms a proof may use.
    headers['www-authenticate'] = error.code.startsWith('dpop_')
      ? `DPoP ${params.join(', ')}, algs="${dpopProofAlgorithms.join(' ')}"`
      : `Bearer ${params.join(', ')}`;
  }
  const body = JSON.stringify({ type: 'about:blank', title: error.message, status: error.status, code: error.code });
  return Object.freeze({ status: error.status, headers: Object.freeze(headers), body });
}

/** The URL a DPoP proof must name; '' (which matches no proof) when the request does not say. */
function requestUrl(request: PresentedRequest, options: ResolvedMiddlewareOptions): string {
  if (request.url !== undefined && options.publicOrigin === undefined) return request.url;
  const path = request.path ?? (request.url !== undefined && URL.canParse(request.url) ? new URL(request.url).pathname : undefined);
  if (path === undefined || !path.startsWith('/')) return '';
  if (options.publicOrigin !== undefined) return `${options.publicOrigin}${path}`;
  const host = typeof request.host === 'string' ? request.host : undefined;
  const protocol = request.protocol === 'https' || request.protocol === 'http' ? request.protocol : undefined;
  return host === undefined || protocol === undefined ? '' : `${protocol}://${host}${path}`;
}

/** @internal The outcome of {@link authenticate}: the claims, or the answer to send instead. */
export type Authentication = { readonly claims: AccessTokenClaims; readonly refusal: null } | { readonly claims: null; readonly refusal: BearerRefusal };

/**
 * @internal What every adapter does: verify the request's bearer token. A refusal is a value;
 * anything that is not a {@link GatehouseTokenError} is a bug, not a refusal, and is thrown on
 * for the framework's own error handling.
 */
export async function authenticate(verifier: TokenVerifier, request: PresentedRequest, options: ResolvedMiddlewareOptions): Promise<Authentication> {
  try {
    const authorization = typeof request.authorization === 'string' ? trimOptionalWhitespace(request.authorization) : undefined;
    const dpopToken = authorization === undefined ? undefined : dpopCredentials.exec(authorization)?.[1];
    if (dpopToken === undefined) return { claims: await verifier.verify(extractBearerToken(request.authorization)), refusal: null };
    return { claims: await verifier.verify(dpopToken, { proof: request.dpop, method: request.method ?? '', url: requestUrl(request, options) }), refusal: null };
  } catch (error) {
    if (!(error instanceof GatehouseTokenError)) throw error;
    return { claims: null, refusal: refusalFor(error, options) };
  }
}

/**
 * @internal The credentials of a node:http request (node and express adapters). The scheme is
 * https when the socket is TLS; behind a TLS-terminating proxy, set `publicOrigin`.
 */
export function nodeRequest(req: IncomingMessage): PresentedRequest {
  return {
    authorization: req.headers.authorization,
    dpop: req.headers.dpop,
    method: req.method,
    path: req.url,
    protocol: (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true ? 'https' : 'http',
    host: req.headers.host,
  };
}
