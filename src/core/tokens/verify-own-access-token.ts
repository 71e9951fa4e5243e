import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { TokenDeps } from './issue-access-token.ts';
import { signingAlgorithms } from './signing-algorithms.ts';
import type { TraceValue } from '../trace/ports.ts';

/**
 * Verifies an access token Gatehouse issued, against its own published keys: signature, issuer,
 * `typ: at+jwt`, expiry and the claims a token always carries. Null for anything else.
 */
export async function verifyOwnAccessToken(deps: Pick<TokenDeps, 'keyRing' | 'issuer' | 'clock' | 'trace'>, token: string): Promise<JWTPayload | null> {
  if (token.split('.').length !== 3) return null;
  // The inspector's steps are built only while it records: the no-op recorder costs nothing here.
  const recording = deps.trace?.recording === true;
  try {
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await deps.keyRing.publicJwks()), {
      algorithms: [...signingAlgorithms],
      issuer: deps.issuer,
      typ: 'at+jwt',
      currentDate: new Date(deps.clock.nowMs()),
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid', 'client_id'],
    });
    if (recording) deps.trace?.step({ kind: 'jwt', title: 'Access token verified', outcome: 'ok', detail: { header: { ...protectedHeader } as { [key: string]: TraceValue }, claims: payload as { [key: string]: TraceValue }, checks: checksMade(deps.issuer).map((check) => `${check}: passed`) }, teach: 'jwt-validation' });
    return payload;
  } catch (error) {
    if (recording) {
      const reason = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : 'not a JWT';
      deps.trace?.step({ kind: 'jwt', title: 'Access token refused', outcome: 'refused', detail: { checks: checksMade(deps.issuer), failed: reason }, teach: 'jwt-validation' });
    }
    return null;
  }
}

/** What the inspector lists as checked. */
function checksMade(issuer: string): string[] {
  return [`algorithm one of ${signingAlgorithms.join(', ')}`, 'signature against our JWKS', `iss is ${issuer}`, 'typ is at+jwt', 'exp not passed', 'exp, iat, sub, jti, sid, client_id present'];
}
