import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AuthError, StorageUnavailableError, type ErrorCode } from '../core/errors.ts';

// RFC 6749 section 5.2 error names for our codes; anything else is a bad request.
const oauthErrors: Partial<Record<ErrorCode, string>> = {
  invalid_client: 'invalid_client',
  invalid_grant: 'invalid_grant',
  invalid_credentials: 'invalid_grant',
  account_disabled: 'invalid_grant',
  email_not_verified: 'invalid_grant',
  // The password grant has no second step: an account with TOTP gets no tokens from it.
  second_factor_required: 'invalid_grant',
  unauthorized_client: 'unauthorized_client',
  unsupported_response_type: 'unsupported_response_type',
  invalid_dpop_proof: 'invalid_dpop_proof',
  invalid_target: 'invalid_target',
  unsupported_grant_type: 'unsupported_grant_type',
  invalid_scope: 'invalid_scope',
  too_many_requests: 'too_many_requests',
  service_unavailable: 'temporarily_unavailable',
  forbidden_origin: 'invalid_request',
};

/** An RFC 6749 5.2 error answer: JSON `{error, error_description}`, never cached. */
export function sendOAuthError(reply: FastifyReply, status: number, error: string, description: string, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(status).header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json').send({ error, error_description: description });
}

/**
 * The error handler of the form-encoded OAuth endpoints (token, revocation, introspection, PAR):
 * every refusal in the RFC 6749 5.2 shape, `invalid_client` as 401 (with a Basic challenge when
 * Basic was tried), storage outages as 503, and nothing of an unexpected error leaked.
 *
 * @example
 * app.setErrorHandler(oauthErrorHandler('The token endpoint'));
 */
export function oauthErrorHandler(endpoint: string): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (error, request, reply) => {
    if (error instanceof AuthError) {
      const oauth = oauthErrors[error.code] ?? 'invalid_request';
      if (oauth === 'invalid_client' && /^basic /i.test(request.headers.authorization ?? '')) reply.header('www-authenticate', 'Basic realm="gatehouse"');
      return sendOAuthError(reply, oauth === 'invalid_client' ? 401 : error.status >= 500 || error.status === 429 ? error.status : 400, oauth, error.detail ?? error.message, error.retryAfterSeconds);
    }
    if (error instanceof StorageUnavailableError) return sendOAuthError(reply, 503, 'temporarily_unavailable', 'Try again shortly.', 5);
    if (error.statusCode === 415) return sendOAuthError(reply, 400, 'invalid_request', `${endpoint} takes application/x-www-form-urlencoded.`);
    if (error.statusCode !== undefined && error.statusCode < 500) return sendOAuthError(reply, 400, 'invalid_request', error.message);
    request.log.error({ err: error }, `${endpoint}: error`);
    return sendOAuthError(reply, 500, 'server_error', 'Something went wrong on our side.');
  };
}
