import type { Client } from '../../src/core/ports.ts';

/** The fields a client record has beyond the basics, as a client registered without OpenID settings has them. */
export type ClientBasics = Pick<Client, 'id' | 'name' | 'type' | 'secretHash' | 'grantTypes' | 'audience' | 'refreshTokenDelivery' | 'createdAtMs'>;

/**
 * A whole Client record for tests that write one straight into a store (bypassing createClient):
 * the OpenID settings take what an existing client got from migration 0012, unless overridden.
 */
export function clientRecord(basics: ClientBasics, overrides: Partial<Client> = {}): Client {
  return {
    ...basics,
    redirectUris: [],
    postLogoutRedirectUris: [],
    backchannelLogoutUri: null,
    scopes: [],
    skipConsent: false,
    requirePkce: false,
    requirePar: false,
    requireDpop: false,
    tokenEndpointAuthMethod: basics.type === 'public' ? 'none' : 'client_secret_basic',
    // As createClient registers it; a client from before migration 0020 overrides it with true.
    acceptsEitherSecretMethod: false,
    jwksUri: null,
    jwks: null,
    idTokenSignedResponseAlg: 'RS256',
    ...overrides,
  };
}
