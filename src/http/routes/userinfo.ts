import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { providerPaths } from '../../core/oauth-provider/provider-paths.ts';
import { userInfo, type PresentedAccessToken } from '../../core/oauth-provider/userinfo.ts';
import { dpopSigningAlgorithms } from '../../core/dpop/verify-dpop-proof.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';

/**
 * The access token of a UserInfo request: the `Authorization: Bearer` header (RFC 6750, GET or
 * POST) or `Authorization: DPoP` with its `DPoP` proof header (RFC 9449 §7.1), or the
 * `access_token` form field of a POST body; never two of them (RFC 6750 §2: one method per request).
 */
function presentedToken(request: FastifyRequest, issuer: string): PresentedAccessToken {
  const header = request.headers.authorization;
  const fromBody = request.method === 'POST' && typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>)['access_token'] : undefined;
  const proof = request.headers.dpop;
  if (proof !== undefined && typeof proof !== 'string') throw new AuthError('invalid_dpop_proof', { detail: 'Send one DPoP header.' });
  const dpop = proof === undefined ? undefined : { proof, method: request.method, url: `${issuer}${providerPaths.userinfo}` };
  if (header !== undefined) {
    const match = /^(Bearer|DPoP) ([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (match === null || fromBody !== undefined) throw new AuthError('invalid_token', { detail: 'Send the access token as Authorization: Bearer (or DPoP), once.' });
    const scheme = (match[1] as string).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    return { accessToken: match[2] as string, scheme, ...(dpop === undefined ? {} : { dpop }) };
  }
  if (typeof fromBody === 'string' && fromBody !== '') return { accessToken: fromBody, scheme: 'Bearer' };
  throw new AuthError('invalid_token', { detail: 'No access token.' });
}

/**
 * RFC 6750 §3 (and RFC 9449 §7.1 for DPoP): the error in WWW-Authenticate, and the same in a JSON
 * body. A DPoP proof problem is challenged with the DPoP scheme and the algorithms it accepts.
 */
function sendBearerError(reply: FastifyReply, error: AuthError): FastifyReply {
  const code = error.code === 'insufficient_scope' ? 'insufficient_scope' : error.code === 'invalid_dpop_proof' ? 'invalid_dpop_proof' : 'invalid_token';
  const description = (error.detail ?? error.message).replace(/["\\]/g, '');
  const challenge = code === 'invalid_dpop_proof'
    ? `DPoP error="${code}", error_description="${description}", algs="${dpopSigningAlgorithms.join(' ')}"`
    : `Bearer error="${code}", error_description="${description}"`;
  return reply
    .code(code === 'insufficient_scope' ? 403 : 401)
    .header('www-authenticate', challenge)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send({ error: code, error_description: description });
}

/** The OpenID Connect UserInfo endpoint (OIDC Core §5.3), GET and POST. */
export async function userInfoRoutes(app: FastifyInstance, deps: CoreDeps & TokenDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: 16_384 });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof AuthError && (error.code === 'invalid_token' || error.code === 'insufficient_scope' || error.code === 'invalid_dpop_proof')) return sendBearerError(reply, error);
    throw error;
  });
  const answer = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    reply.header('cache-control', 'no-store').send(await userInfo(deps, presentedToken(request, deps.issuer)));
  const response = { 200: { type: 'object', required: ['sub'], additionalProperties: true, properties: { sub: { type: 'string' } } } };
  app.get(providerPaths.userinfo, { schema: { tags: ['openid'], summary: 'UserInfo: the claims of the scopes the bearer access token was granted.', response } }, answer);
  // A relying party's server calls this; it carries a bearer token, no cookie, so the cross-site check does not apply.
  app.post(
    providerPaths.userinfo,
    {
      config: { crossSite: 'allowed' },
      schema: { tags: ['openid'], summary: 'UserInfo by POST: the bearer token in the Authorization header or the access_token form field.', consumes: ['application/x-www-form-urlencoded'], response },
    },
    answer,
  );
}
