import { createPrivateKey, type KeyObject } from 'node:crypto';
import { importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import * as client from 'openid-client';
import type { ClientAuthMethod, OAuthProviderConfig } from './provider-config.ts';
import { ProviderSetupError } from './provider-setup-error.ts';

/**
 * When a provider configures nothing else, the methods tried in this order: a private key is
 * the strongest credential (the secret never travels), then the secret in the Authorization
 * header (RFC 6749 2.3.1's preferred form), then in the body; `none` only for a public client.
 */
const preference: readonly ClientAuthMethod[] = ['private_key_jwt', 'client_secret_basic', 'client_secret_post', 'none'];

/** What credentials a method needs, against what the operator configured. */
function credentialProblem(config: OAuthProviderConfig, method: ClientAuthMethod): string | null {
  const hasSecret = config.clientSecret !== '';
  const hasKey = config.privateKey !== undefined;
  switch (method) {
    case 'client_secret_basic':
    case 'client_secret_post':
      return hasSecret ? null : `${method} needs a client secret (CLIENT_ID:CLIENT_SECRET)`;
    case 'private_key_jwt':
      return hasKey ? null : 'private_key_jwt needs the client private key (key=/path/to/key.pem or .jwk)';
    case 'none':
      return hasSecret || hasKey ? 'none is for a client without a secret or key: configure only its CLIENT_ID' : null;
  }
}

/**
 * Picks how Gatehouse authenticates at the provider's token endpoint: the operator's choice when
 * there is one (refused at start-up if the provider's metadata does not list it), otherwise the
 * first method of {@link preference} that the provider lists in
 * `token_endpoint_auth_methods_supported` and the configured credentials allow. A provider that
 * lists nothing accepts `client_secret_basic` (RFC 8414 2).
 *
 * @example
 * chooseClientAuthMethod({ ...config, clientSecret: 's' }, ['client_secret_post', 'private_key_jwt']); // 'client_secret_post'
 */
export function chooseClientAuthMethod(config: OAuthProviderConfig, supported: readonly string[] | undefined): ClientAuthMethod {
  const listed = supported ?? ['client_secret_basic'];
  if (config.clientAuthMethod !== undefined) {
    const problem = credentialProblem(config, config.clientAuthMethod);
    if (problem !== null) throw new ProviderSetupError(config.id, problem);
    // A provider that publishes no list may still accept the method; one that publishes a list is believed.
    if (supported !== undefined && !supported.includes(config.clientAuthMethod)) {
      throw new ProviderSetupError(config.id, `the provider does not accept ${config.clientAuthMethod} at its token endpoint (its token_endpoint_auth_methods_supported: ${listed.join(', ')})`);
    }
    return config.clientAuthMethod;
  }
  const chosen = preference.find((method) => listed.includes(method) && credentialProblem(config, method) === null);
  if (chosen === undefined) {
    const configured = config.privateKey !== undefined ? 'a private key' : config.clientSecret !== '' ? 'a client secret' : 'no secret and no key';
    throw new ProviderSetupError(config.id, `no token endpoint authentication fits: the provider accepts ${listed.join(', ')}, and ${configured} is configured`);
  }
  return chosen;
}

/** The signing algorithm a private key implies, as providers expect it. */
function algorithmOf(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported private key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/**
 * A PKCS#8 PEM or a private JWK, as a signing key. A JWK's `kid` goes into the assertion header
 * (the provider picks the registered key by it); a PEM has none, and the provider tries the
 * client's registered keys.
 */
async function importClientKey(providerId: string, text: string): Promise<{ key: CryptoKey; kid?: string }> {
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as JWK;
      const key = (await importJWK(jwk, jwk.alg ?? algorithmOf(createPrivateKey({ key: jwk as never, format: 'jwk' })))) as CryptoKey;
      return jwk.kid === undefined ? { key } : { key, kid: jwk.kid };
    }
    return { key: await importPKCS8(trimmed, algorithmOf(createPrivateKey(trimmed))) };
  } catch (error) {
    // Never the key material itself in the message.
    throw new ProviderSetupError(providerId, `the client private key could not be read (a PKCS#8 PEM or a private JWK is expected): ${error instanceof Error ? error.message.slice(0, 120) : 'unknown error'}`, { cause: error });
  }
}

/**
 * openid-client's own client-authentication helper for the chosen method.
 *
 * @example
 * const auth = await clientAuthFor(config, 'client_secret_post'); // client.ClientSecretPost(config.clientSecret)
 */
export async function clientAuthFor(config: OAuthProviderConfig, method: ClientAuthMethod): Promise<client.ClientAuth> {
  switch (method) {
    case 'client_secret_basic':
      return client.ClientSecretBasic(config.clientSecret);
    case 'client_secret_post':
      return client.ClientSecretPost(config.clientSecret);
    case 'private_key_jwt':
      return client.PrivateKeyJwt(await importClientKey(config.id, config.privateKey ?? ''));
    case 'none':
      return client.None();
  }
}
