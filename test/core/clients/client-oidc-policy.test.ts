import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertGrantsFit, normalizeScopes, parseClientJwks, resolveTokenEndpointAuthMethod } from '../../../src/core/clients/client-oidc-policy.ts';

const refused = (run: () => unknown, message: RegExp): void => assert.throws(run, (error: unknown) => (error as { code?: string }).code === 'validation_failed' && message.test((error as { detail?: string }).detail ?? ''));
const ecKey = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

describe('client OpenID policy', () => {
  it('the auth method defaults by type and fits it', () => {
    assert.equal(resolveTokenEndpointAuthMethod(undefined, 'public'), 'none');
    assert.equal(resolveTokenEndpointAuthMethod(undefined, 'confidential'), 'client_secret_basic');
    assert.equal(resolveTokenEndpointAuthMethod('client_secret_post', 'confidential'), 'client_secret_post');
    refused(() => resolveTokenEndpointAuthMethod('client_secret_basic', 'public'), /public client/);
    refused(() => resolveTokenEndpointAuthMethod('none', 'confidential'), /confidential client authenticates/);
    refused(() => resolveTokenEndpointAuthMethod('tls_client_auth', 'confidential'), /one of/);
  });

  it('a JWKS holds 1 to 10 public RSA, EC or OKP keys; a private or symmetric key is refused', () => {
    assert.deepEqual(parseClientJwks({ keys: [ecKey] }), { keys: [ecKey] });
    refused(() => parseClientJwks({ keys: [{ ...ecKey, d: 'secret' }] }), /public keys only/);
    refused(() => parseClientJwks({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }), /type RSA, EC, OKP/);
    refused(() => parseClientJwks({ keys: [] }), /1 to 10 keys/);
    refused(() => parseClientJwks([ecKey]), /1 to 10 keys/);
    refused(() => parseClientJwks({ keys: ['x'] }), /JSON object/);
    refused(() => parseClientJwks({ keys: Array.from({ length: 11 }, () => ecKey) }), /1 to 10 keys/);
  });

  it('scopes are RFC 6749 scope tokens, without repeats', () => {
    assert.deepEqual(normalizeScopes(['orders:read', 'orders:read', 'https://api.example.com/x']), ['orders:read', 'https://api.example.com/x']);
    for (const scope of ['', 'two words', 'a"b', 'a\\b', 'é']) refused(() => normalizeScopes([scope]), /scope is 1 to 100/);
  });

  it('grants fit the other settings', () => {
    const base = { type: 'confidential' as const, grantTypes: ['authorization_code' as const], redirectUris: ['https://rp.example.com/cb'], method: 'client_secret_basic' as const, hasJwks: false };
    assert.doesNotThrow(() => assertGrantsFit(base));
    refused(() => assertGrantsFit({ ...base, redirectUris: [] }), /needs at least one redirect URI/);
    refused(() => assertGrantsFit({ ...base, grantTypes: ['password'] }), /Redirect URIs are for the authorization_code grant/);
    refused(() => assertGrantsFit({ ...base, type: 'public', grantTypes: ['client_credentials'], redirectUris: [] }), /confidential clients/);
    refused(() => assertGrantsFit({ ...base, method: 'private_key_jwt' }), /needs the client’s public keys/);
    refused(() => assertGrantsFit({ ...base, hasJwks: true }), /for the private_key_jwt auth method/);
  });
});
