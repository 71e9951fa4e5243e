import { randomId } from '../sessions/session-token.ts';
import type { Client, Random } from '../ports.ts';
import type { IdTokenKeys } from '../tokens/id-token-keys.ts';
import { signJwt } from '../tokens/sign-jwt.ts';
import type { TraceRecorder, TraceValue } from '../trace/ports.ts';

/** An ID token is read once, at login: ten minutes covers any clock skew and slow RP. */
export const idTokenTtlMs = 10 * 60_000;

export interface IdTokenInput {
  client: Pick<Client, 'id' | 'idTokenSignedResponseAlg'>;
  userId: string;
  sessionId: string;
  authTimeMs: number;
  nonce: string | null;
  amr: readonly string[];
  acr: string | null;
  /** User claims asked for in the ID token (`claims` parameter) and granted: see claims-request.ts. */
  userClaims?: Readonly<Record<string, unknown>>;
}

/**
 * Signs an OpenID Connect ID token (OIDC Core §2) with the client's algorithm (RS256 unless it
 * registered ES256 or EdDSA): iss, sub, aud and azp (the client), exp, iat, auth_time, nonce (as
 * the request sent it, so a replayed response is caught by the RP: SEC-204), acr, amr, and `sid`,
 * the Gatehouse session, which back-channel and RP-initiated logout name.
 *
 * @example
 * const idToken = await issueIdToken({ idTokenKeys, issuer, clock, random }, { client, userId, sessionId, authTimeMs, nonce, amr, acr });
 */
export async function issueIdToken(
  deps: { idTokenKeys: IdTokenKeys; issuer: string; clock: { nowMs(): number }; random: Random; trace?: TraceRecorder | undefined },
  input: IdTokenInput,
): Promise<string> {
  const { kid, alg, privateKey } = await deps.idTokenKeys.activeKey(input.client.idTokenSignedResponseAlg);
  const nowSeconds = Math.floor(deps.clock.nowMs() / 1000);
  const claims: Record<string, unknown> = {
    iss: deps.issuer,
    sub: input.userId,
    aud: input.client.id,
    azp: input.client.id,
    iat: nowSeconds,
    exp: nowSeconds + idTokenTtlMs / 1000,
    auth_time: Math.floor(input.authTimeMs / 1000),
    sid: input.sessionId,
    jti: randomId(deps.random),
  };
  if (input.nonce !== null) claims['nonce'] = input.nonce;
  if (input.acr !== null) claims['acr'] = input.acr;
  if (input.amr.length > 0) claims['amr'] = [...input.amr];
  // Added last, so a user claim can never stand in for a protocol claim above.
  for (const [name, value] of Object.entries(input.userClaims ?? {})) if (!(name in claims)) claims[name] = value;
  if (deps.trace?.recording === true) deps.trace.step({ kind: 'jwt', title: `ID token issued to ${input.client.id}`, outcome: 'info', detail: { header: { alg, kid, typ: 'JWT' }, claims: claims as { [key: string]: TraceValue } }, teach: 'oidc-id-token-issued' });
  return signJwt({ alg, kid, typ: 'JWT' }, claims, privateKey);
}
