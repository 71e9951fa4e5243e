// Token-endpoint client authentication at a social-login provider: chosen from the provider's
// token_endpoint_auth_methods_supported (or forced per provider), through openid-client's own
// helpers, and proved against a real oidc-provider that requires exactly one method.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { chooseClientAuthMethod } from '../../../src/core/oauth-client/client-auth.ts';
import { connectProvider, ProviderSetupError } from '../../../src/core/oauth-client/connect-provider.ts';
import { redirectUri } from '../../../src/core/oauth-client/oauth-deps.ts';
import type { ClientAuthMethod, OAuthProviderConfig } from '../../../src/core/oauth-client/provider-config.ts';
import { startDemoIdp, type DemoClient, type DemoIdp } from '../../../src/dev/demo-idp.ts';
import { testOrigin } from '../../support/http-app.ts';
import { anIdpUser, IdpBrowser, logInWithProvider, sessionFrom, withOAuthApp } from '../../support/oauth.ts';

const secret = 'a-client-secret-a-client-secret-0123456789';
const base: OAuthProviderConfig = { id: 'idp', kind: 'oidc', displayName: 'IdP', issuer: 'https://idp.example.com', clientId: 'gatehouse', clientSecret: secret, scopes: ['openid', 'email'] };

describe('chooseClientAuthMethod', () => {
  const cases: Array<[string, Partial<OAuthProviderConfig>, string[] | undefined, ClientAuthMethod | RegExp]> = [
    ['no list published: client_secret_basic (RFC 8414 default)', {}, undefined, 'client_secret_basic'],
    ['basic preferred over post when both are listed', {}, ['client_secret_post', 'client_secret_basic'], 'client_secret_basic'],
    ['post when only post is listed', {}, ['client_secret_post', 'private_key_jwt'], 'client_secret_post'],
    ['a private key wins when the provider lists private_key_jwt', { clientSecret: '', privateKey: 'PEM' }, ['client_secret_basic', 'private_key_jwt'], 'private_key_jwt'],
    ['a public client uses none', { clientSecret: '' }, ['client_secret_basic', 'none'], 'none'],
    ['the override is used', { clientAuthMethod: 'client_secret_post' }, ['client_secret_basic', 'client_secret_post'], 'client_secret_post'],
    ['the override is used when the provider lists nothing', { clientAuthMethod: 'client_secret_post' }, undefined, 'client_secret_post'],
    ['an override the provider does not list stops start-up', { clientAuthMethod: 'client_secret_post' }, ['client_secret_basic'], /does not accept client_secret_post .*client_secret_basic/],
    ['private_key_jwt without a key stops start-up', { clientAuthMethod: 'private_key_jwt' }, ['private_key_jwt'], /needs the client private key/],
    ['none with a secret configured stops start-up', { clientAuthMethod: 'none' }, ['none'], /none is for a client without a secret/],
    ['a secret but the provider takes only keys', {}, ['private_key_jwt'], /no token endpoint authentication fits: the provider accepts private_key_jwt, and a client secret is configured/],
  ];
  for (const [name, overrides, supported, expected] of cases) {
    it(name, () => {
      const config = { ...base, ...overrides };
      if (expected instanceof RegExp) {
        assert.throws(() => chooseClientAuthMethod(config, supported), (error: Error) => error instanceof ProviderSetupError && expected.test(error.message) && error.message.includes('"idp"'));
      } else {
        assert.equal(chooseClientAuthMethod(config, supported), expected);
      }
    });
  }
});

describe('social login with a provider that requires one token-endpoint authentication method (real oidc-provider)', () => {
  const methods: ClientAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
  const user = anIdpUser();
  const keys: Record<string, { pem: string; jwk: string; publicJwk: Record<string, unknown> }> = {};
  const idps = new Map<ClientAuthMethod, DemoIdp>();

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    // Registered at the provider with a kid: a JWK key file names it, a PEM file sends none.
    keys['ES256'] = { pem: await exportPKCS8(privateKey), jwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'gatehouse-1' }), publicJwk: { ...(await exportJWK(publicKey)), use: 'sig', kid: 'gatehouse-1' } };
    for (const method of methods) {
      const client: DemoClient = {
        clientId: `gatehouse-${method}`,
        redirectUris: [redirectUri(testOrigin, method.replaceAll('_', '-'))],
        tokenEndpointAuthMethod: method,
        ...(method.startsWith('client_secret') ? { clientSecret: secret } : {}),
        ...(method === 'private_key_jwt' ? { jwks: { keys: [keys['ES256'].publicJwk as never] } } : {}),
      };
      // The provider lists (and accepts) this one method only.
      idps.set(method, await startDemoIdp({ port: 0, users: [user], clients: [client], clientAuthMethods: [method] }));
    }
  });
  after(async () => {
    for (const idp of idps.values()) await idp.close();
  });

  const providerFor = (method: ClientAuthMethod, overrides: Partial<OAuthProviderConfig> = {}): OAuthProviderConfig => ({
    id: method.replaceAll('_', '-'),
    kind: 'oidc',
    displayName: method,
    issuer: idps.get(method)!.issuer,
    clientId: `gatehouse-${method}`,
    clientSecret: method.startsWith('client_secret') ? secret : '',
    scopes: ['openid', 'email'],
    ...(method === 'private_key_jwt' ? { privateKey: keys['ES256']!.pem } : {}),
    ...overrides,
  });

  for (const method of methods) {
    for (const how of ['chosen from the metadata', 'forced with auth='] as const) {
      it(`${method}, ${how}: the login completes and the token request authenticates that way`, async () => {
        // private_key_jwt: the key from a PEM file in one run, from a JWK file in the other.
        const config = providerFor(method, how === 'forced with auth=' ? { clientAuthMethod: method, ...(method === 'private_key_jwt' ? { privateKey: keys['ES256']!.jwk } : {}) } : {});
        await withOAuthApp(
          null,
          async (t) => {
            assert.equal(t.oauth.providers.get(config.id)?.clientAuthMethod, method);
            const response = await logInWithProvider(t.app, new IdpBrowser(user), { providerId: config.id });
            assert.equal(response.statusCode, 303, response.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400));
            assert.ok(sessionFrom(response), 'logged in');
            const tokenRequest = t.hook.sent.find((request) => request.url.pathname.endsWith('/token')) ?? assert.fail('no token request');
            const body = new URLSearchParams(tokenRequest.body);
            assert.equal(body.has('code_verifier'), true, 'PKCE on every method');
            assert.equal(body.get('client_secret'), method === 'client_secret_post' ? secret : null, 'the secret is in the body only for client_secret_post');
            assert.equal(body.get('client_assertion_type'), method === 'private_key_jwt' ? 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' : null);
            if (method === 'none') assert.equal(body.get('client_id'), config.clientId);
          },
          { providers: [config] },
        );
      });
    }
  }

  it('a provider that requires client_secret_post refuses the login when forced to client_secret_basic... so start-up refuses that override first', async () => {
    await assert.rejects(
      connectProvider(providerFor('client_secret_post', { clientAuthMethod: 'client_secret_basic' }), { plainHttp: 'allow-loopback' }),
      /OAuth provider "client-secret-post": the provider does not accept client_secret_basic at its token endpoint \(its token_endpoint_auth_methods_supported: client_secret_post\)/,
    );
  });

  it('a private key file that is not a key stops start-up without echoing it', async () => {
    await assert.rejects(
      connectProvider(providerFor('private_key_jwt', { privateKey: 'not-a-key-SECRET-MATERIAL' }), { plainHttp: 'allow-loopback' }),
      (error: Error) => error instanceof ProviderSetupError && /the client private key could not be read/.test(error.message) && !error.message.includes('SECRET-MATERIAL'),
    );
  });
});
