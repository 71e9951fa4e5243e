import { AuthError } from '../errors.ts';
import type { Client } from '../ports.ts';

/**
 * The `aud` of an access token (RFC 8707 2): the client's registered audience, or the `resource`
 * the client asked for when that is an audience it is registered for. A client is registered
 * with one audience, so the allowlist is that one value, compared exactly (what the operator
 * typed is what the API checks); anything else is `invalid_target`, never a token for an API
 * the client was not given.
 *
 * @example
 * audienceFor(client, undefined); // client.audience
 * audienceFor(client, 'https://api.example.com'); // the same, when it is client.audience
 */
export function audienceFor(client: Client, resource: string | undefined): string {
  if (resource === undefined || resource === client.audience) return client.audience;
  throw new AuthError('invalid_target', { detail: 'This client may get tokens only for its registered audience.' });
}
