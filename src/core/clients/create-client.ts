import { hashSecret } from '../sessions/session-token.ts';
import { AuthError } from '../errors.ts';
import { randomId } from '../sessions/session-token.ts';
import type { CoreDeps } from '../deps.ts';
import type { Client, ClientType, GrantType, RefreshTokenDelivery } from '../ports.ts';
import { assertAudience, assertClientId, assertClientName, assertClientType, assertRefreshTokenDelivery, normalizeGrantTypes } from './client-policy.ts';

// 256 bits, like a session secret: far beyond guessing, so the hash at rest is defence in
// depth for a stolen database, not what makes the secret hard to guess.
const clientSecretBytes = 32;

export interface NewClient {
  name: string;
  type: ClientType;
  grantTypes: GrantType[];
  /** The `aud` of the access tokens the client receives: an API identifier or URL, no whitespace. */
  audience: string;
  /**
   * `cookie` for a browser app: its refresh tokens are set in an HttpOnly `__Host-` cookie and
   * never appear in a response body a script could read. Public clients only; `body` by default.
   */
  refreshTokenDelivery?: RefreshTokenDelivery;
  /** Chosen by the operator (A-Z a-z 0-9 . _ ~ -, at most 100); a random 22-character id otherwise. */
  id?: string;
}

export interface CreatedClient {
  client: Client;
  /** The confidential client's secret: returned this once and never stored (only its SHA-256 hash is). Null for a public client. */
  secret: string | null;
}

/**
 * Registers an OAuth client.
 *
 * A confidential client (a server-side app) gets a random secret, stored only as a SHA-256
 * hash. A public client (a mobile, desktop or single-page app, which cannot keep a secret) gets
 * none and authenticates with its id alone. Public clients may be registered for every grant:
 * `password` is authenticated by the user's own password and `session` by the user's session,
 * so a client secret shipped inside an app would add nothing an attacker could not extract;
 * what limits a public client is that its id is not a credential (see authenticateClient).
 *
 * @example
 * const { client, secret } = await createClient(deps, {
 *   name: 'Billing backend', type: 'confidential', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com',
 * });
 * // Show `secret` to the operator now: it cannot be recovered later.
 */
export async function createClient(deps: CoreDeps, input: NewClient): Promise<CreatedClient> {
  assertClientName(input.name);
  assertClientType(input.type);
  const grantTypes = normalizeGrantTypes(input.grantTypes);
  assertAudience(input.audience);
  if (input.id !== undefined) assertClientId(input.id);
  const refreshTokenDelivery = input.refreshTokenDelivery ?? 'body';
  assertRefreshTokenDelivery(refreshTokenDelivery, input.type);

  const secret = input.type === 'confidential' ? Buffer.from(deps.random.bytes(clientSecretBytes)).toString('base64url') : null;
  // The hash is the slow part; it is made before the insert, outside any transaction.
  // A 256-bit random secret needs no slow hash (nothing to brute-force); SHA-256 keeps the
  // token endpoint fast and gives no one a way to make it burn argon2id time per request.
  const secretHash = secret === null ? null : Buffer.from(hashSecret(secret)).toString('base64url');
  const client: Client = {
    id: input.id ?? randomId(deps.random),
    name: input.name,
    type: input.type,
    secretHash,
    grantTypes,
    audience: input.audience,
    refreshTokenDelivery,
    createdAtMs: deps.clock.nowMs(),
  };
  if ((await deps.store.clients.create(client)) === 'id_taken') throw new AuthError('client_id_taken', { detail: `A client with id ${client.id} already exists.` });
  return { client, secret };
}
