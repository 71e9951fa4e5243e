import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { TokenDeps } from './issue-access-token.ts';
import { signingAlgorithms } from './signing-algorithms.ts';

/**
 * Verifies an access token Gatehouse issued, against its own published keys: signature, issuer,
 * `typ: at+jwt`, expiry and the claims a token always carries. Null for anything else.
 */
export async function verifyOwnAccessToken(deps: Pick<TokenDeps, 'keyRing' | 'issuer' | 'clock'>, token: string): Promise<JWTPayload | null> {
  if (token.split('.').length !== 3) return null;
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(await deps.keyRing.publicJwks()), {
      algorithms: [...signingAlgorithms],
      issuer: deps.issuer,
      typ: 'at+jwt',
      currentDate: new Date(deps.clock.nowMs()),
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid', 'client_id'],
    });
    return payload;
  } catch {
    return null;
  }
}
