import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AuthError } from '../errors.ts';
import type { Client, ClientJwksSource, Clock, ReplayRecordStore } from '../ports.ts';

/** RFC 7523 2.2: the only client assertion type. */
export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Asymmetric only (private_key_jwt; no client_secret_jwt), advertised as `token_endpoint_auth_signing_alg_values_supported`. */
export const clientAssertionAlgorithms = Object.freeze(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA', 'Ed25519'] as const);
/** An assertion may live at most this long from now: a short-lived one-time credential, not a bearer token. */
export const maxAssertionLifetimeSeconds = 300;
const clockSkewSeconds = 5;
const maxAssertionLength = 8_192;
const maxJtiLength = 256;

export interface ClientAssertionDeps {
  clock: Clock;
  store: { replayRecords: ReplayRecordStore };
  /** The issuer; the assertion's `aud` is it or its token endpoint. */
  issuer: string;
  /** Where keys published at a jwks_uri come from; without it only inline JWKS work. */
  clientJwks?: ClientJwksSource;
}

const refuse = (detail: string): AuthError => new AuthError('invalid_client', { detail });

function keysOf(deps: ClientAssertionDeps, client: Client): JWTVerifyGetKey {
  if (client.jwks !== null) return createLocalJWKSet(client.jwks as Parameters<typeof createLocalJWKSet>[0]);
  if (client.jwksUri !== null && deps.clientJwks !== undefined) return deps.clientJwks.keySetFor(client.jwksUri);
  throw refuse('This client has no keys to check an assertion with.');
}

/**
 * private_key_jwt (RFC 7523 2.2, 3; OpenID Connect Core 9): the client proves itself with a JWT
 * it signed with one of its registered keys (inline JWKS, or its jwks_uri). Checked with jose:
 * an allowed asymmetric algorithm (before any key is looked up), the signature, `iss` = `sub` =
 * the client id, `aud` a single string naming this issuer or its token endpoint, `exp` present and at most
 * {@link maxAssertionLifetimeSeconds} ahead, and `jti` never seen before: the assertion is recorded
 * in the store until it expires, so a captured assertion cannot be replayed on any instance.
 * Every refusal is `invalid_client`.
 *
 * @example
 * await verifyClientAssertion(deps, client, body.client_assertion);
 */
export async function verifyClientAssertion(deps: ClientAssertionDeps, client: Client, assertion: string): Promise<void> {
  if (client.tokenEndpointAuthMethod !== 'private_key_jwt') throw refuse('This client is not registered for private_key_jwt.');
  if (assertion.length > maxAssertionLength) throw refuse('The client assertion is too long.');
  const nowMs = deps.clock.nowMs();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(assertion, keysOf(deps, client), {
      algorithms: [...clientAssertionAlgorithms],
      issuer: client.id,
      subject: client.id,
      audience: [deps.issuer, `${deps.issuer}/v1/token`],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: clockSkewSeconds,
      currentDate: new Date(nowMs),
    }));
  } catch (error) {
    if (error instanceof AuthError) throw error;
    throw refuse(`The client assertion does not verify (${(error as { code?: string }).code ?? 'invalid'}).`);
  }
  // One audience, as a string: an array could smuggle in another server's name beside ours.
  if (typeof payload['aud'] !== 'string') throw refuse('The client assertion names one audience, as a string.');
  const exp = payload['exp'] as number;
  if (exp * 1000 > nowMs + (maxAssertionLifetimeSeconds + clockSkewSeconds) * 1000) throw refuse(`A client assertion expires within ${maxAssertionLifetimeSeconds} seconds.`);
  const jti = payload['jti'];
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > maxJtiLength) throw refuse('The client assertion has no usable jti.');
  const key = createHash('sha256').update(`client-assertion\0${client.id}\0${jti}`).digest('base64url');
  if ((await deps.store.replayRecords.remember(key, (exp + clockSkewSeconds) * 1000)) === 'seen') throw refuse('This client assertion was already used.');
}
