import { timingSafeEqual } from 'node:crypto';
import { hashSecret } from '../sessions/session-token.ts';
import { AuthError } from '../errors.ts';
import type { CoreDeps } from '../deps.ts';
import type { Client, TokenEndpointAuthMethod } from '../ports.ts';
import { verifyClientAssertion, type ClientAssertionDeps } from './verify-client-assertion.ts';

// Generated secrets are 43 characters; anything this long cannot be one, so it is refused
// before argon2id, whatever the client id (the refusal says nothing about which ids exist).
const maxClientSecretLength = 256;

export interface ClientCredentials {
  /**
   * How the request carried them: `client_secret_basic` (HTTP Basic), `client_secret_post` (the
   * secret in the body), `private_key_jwt` (an assertion) or `none` (the id alone).
   */
  method: TokenEndpointAuthMethod;
  clientId: string;
  /** Absent for a public client. An empty string counts as a secret presented (and wrong). */
  clientSecret?: string;
  /** private_key_jwt: the signed JWT (RFC 7523), instead of a secret. */
  clientAssertion?: string;
}

/**
 * Authenticates the client calling the token endpoint. Every refusal is the same
 * `invalid_client`: an unknown id, a confidential client without its secret or with a wrong
 * one, and a public client that sends a secret (it was never issued one, so the caller is
 * confused or guessing).
 *
 * Client secrets are 256-bit random values, so they are stored as SHA-256 (like session and
 * refresh tokens) rather than argon2id: there is nothing to brute-force, and a slow hash would
 * let anyone make the token endpoint burn CPU. Every attempt that presents a secret costs one
 * SHA-256 and one constant-time comparison, whether or not the client exists, so the response
 * time does not tell which client ids exist. Attempts without a secret cost one lookup.
 *
 * A private_key_jwt client presents `clientAssertion` instead (verify-client-assertion.ts); that
 * needs `issuer` (and `clientJwks` for keys at a jwks_uri) in `deps`.
 *
 * The client must use the method it registered (`tokenEndpointAuthMethod`, OpenID Connect
 * Registration §2): a client_secret_basic client that posts its secret in the body, or the
 * reverse, is refused (docs/security.md SEC-208), so a secret registered to travel only in a
 * header is never accepted from a body, where it ends up in request logs and form captures.
 * Clients registered before this was enforced accept either secret method
 * (`acceptsEitherSecretMethod`, migration 0020). The method is checked after the credential
 * itself, so the refusal tells only the client's holder which method it registered.
 *
 * @example
 * const client = await authenticateClient(deps, { method: 'client_secret_basic', clientId: 'billing', clientSecret: presentedSecret });
 */
export async function authenticateClient(deps: CoreDeps & Partial<Pick<ClientAssertionDeps, 'issuer' | 'clientJwks'>>, credentials: ClientCredentials): Promise<Client> {
  return assertRegisteredMethod(await authenticatedClient(deps, credentials), credentials.method);
}

const secretMethods: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post'];

/** The client, if it authenticated with the method it registered (SEC-208). */
function assertRegisteredMethod(client: Client, presented: TokenEndpointAuthMethod): Client {
  const registered = client.tokenEndpointAuthMethod;
  const leeway = client.acceptsEitherSecretMethod && secretMethods.includes(registered) && secretMethods.includes(presented);
  if (presented !== registered && !leeway) throw new AuthError('invalid_client', { detail: `This client is registered for ${registered} at the token endpoint; it authenticated with ${presented}.` });
  return client;
}

async function authenticatedClient(deps: CoreDeps & Partial<Pick<ClientAssertionDeps, 'issuer' | 'clientJwks'>>, credentials: ClientCredentials): Promise<Client> {
  const { clientId, clientSecret, clientAssertion } = credentials;
  if (clientAssertion !== undefined) {
    // A signed assertion is the only credential then: never also a secret.
    const client = clientSecret === undefined && deps.issuer !== undefined ? await deps.store.clients.findById(clientId) : null;
    if (client === null || deps.issuer === undefined) throw new AuthError('invalid_client');
    await verifyClientAssertion({ ...deps, issuer: deps.issuer }, client, clientAssertion);
    return client;
  }
  if (clientSecret !== undefined && clientSecret.length > maxClientSecretLength) throw new AuthError('invalid_client');

  const client = await deps.store.clients.findById(clientId);
  if (clientSecret === undefined) {
    // A confidential client (including a private_key_jwt one) must prove itself.
    if (client === null || client.type !== 'public') throw new AuthError('invalid_client');
    return client;
  }

  const storedHash = client?.type === 'confidential' && client.secretHash !== null ? Buffer.from(client.secretHash, 'base64url') : null;
  // Compared against a zero hash when there is nothing to compare with, so every path costs the same.
  const presented = hashSecret(clientSecret);
  const matches = timingSafeEqual(presented, storedHash !== null && storedHash.length === presented.length ? storedHash : new Uint8Array(presented.length));
  deps.trace?.step({
    kind: 'decision',
    title: client !== null && storedHash !== null && matches ? `Client ${clientId} authenticated` : 'Client authentication refused',
    outcome: client !== null && storedHash !== null && matches ? 'ok' : 'refused',
    detail: { clientId, method: 'client secret', compare: 'SHA-256 of the presented secret against the stored one, in constant time, the same work for unknown ids' },
    teach: 'client-authentication',
  });
  if (client === null || storedHash === null || !matches) throw new AuthError('invalid_client');
  return client;
}
