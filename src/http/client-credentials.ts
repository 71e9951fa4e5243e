import type { FastifyRequest } from 'fastify';
import { decodeJwt } from 'jose';
import type { ClientCredentials } from '../core/clients/authenticate-client.ts';
import { jwtBearerAssertionType } from '../core/clients/verify-client-assertion.ts';
import { AuthError } from '../core/errors.ts';
import { basicClientCredentials } from './basic-credentials.ts';

/** The client authentication fields every form endpoint here accepts (RFC 6749 2.3.1, RFC 7523 2.2). */
export const clientAuthFields = {
  client_id: { type: 'string', maxLength: 128 },
  client_secret: { type: 'string', maxLength: 256 },
  client_assertion_type: { type: 'string', maxLength: 128 },
  client_assertion: { type: 'string', maxLength: 8192 },
} as const;

type FormBody = Record<string, string | undefined>;

/** The client id an assertion names (`sub`, which must equal `iss`; both are verified later). */
function assertionSubject(assertion: string): string {
  try {
    const { sub } = decodeJwt(assertion);
    if (typeof sub === 'string' && sub !== '') return sub;
  } catch {
    // Refused below, like every other malformed credential.
  }
  throw new AuthError('invalid_client', { detail: 'The client assertion is not a JWT naming the client.' });
}

/**
 * The credentials a client presents: HTTP Basic (client_secret_basic), the body
 * (client_secret_post, or a public client's id alone), or a signed assertion (private_key_jwt,
 * RFC 7523). One method per request: a secret beside Basic, or an assertion beside either, is
 * `invalid_client` (RFC 6749 2.3). The method used is named in the answer; whether it is the one
 * the client registered is checked by core/clients/authenticate-client.ts.
 *
 * @example
 * const client = await authenticateClient(deps, clientCredentials(request, request.body));
 */
export function clientCredentials(request: FastifyRequest, body: FormBody): ClientCredentials {
  const basic = basicClientCredentials(request.headers.authorization);
  const assertionType = body.client_assertion_type;
  if (assertionType !== undefined || body.client_assertion !== undefined) {
    if (basic !== null || body.client_secret !== undefined) throw new AuthError('invalid_client', { detail: 'Use one client authentication method.' });
    if (assertionType !== jwtBearerAssertionType || !body.client_assertion) throw new AuthError('invalid_client', { detail: `client_assertion_type is ${jwtBearerAssertionType}, with a client_assertion.` });
    const subject = assertionSubject(body.client_assertion);
    if (body.client_id !== undefined && body.client_id !== subject) throw new AuthError('invalid_client', { detail: 'client_id and the assertion name different clients.' });
    return { method: 'private_key_jwt', clientId: subject, clientAssertion: body.client_assertion };
  }
  if (basic !== null) {
    if (body.client_secret !== undefined) throw new AuthError('invalid_client');
    return { method: 'client_secret_basic', ...basic };
  }
  if (body.client_id === undefined || body.client_id === '') throw new AuthError('invalid_client', { detail: 'client_id is required.' });
  return body.client_secret === undefined ? { method: 'none', clientId: body.client_id } : { method: 'client_secret_post', clientId: body.client_id, clientSecret: body.client_secret };
}
