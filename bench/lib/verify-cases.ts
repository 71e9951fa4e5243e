import { KeyObject, verify as cryptoVerify } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { createVerifier, type Verifier } from '../../packages/sdk/src/index.ts';

/**
 * The in-process verify cases, shared by `npm run bench` (EdDSA, in a pinned child) and
 * bench/sdk-verify.ts (every algorithm):
 *
 * - sdk-seen: the same token again (cache hit: SHA-256, LRU lookup, exp and revocation).
 * - sdk-never-seen: every token new to the verifier (full verification plus cache insert).
 * - jose-verify: jose's jwtVerify alone, with the SDK's options and the same local JWKS resolver.
 * - jose-verify-key: the same with the CryptoKey given directly, no key resolution.
 * - crypto-verify: node:crypto's signature check over the signing input, no parsing, no claims.
 */

export const issuer = 'https://auth.example.test';
export const audience = 'https://api.example.test';
export type Alg = 'ES256' | 'EdDSA' | 'RS256';
export type VerifyCase = 'sdk-seen' | 'sdk-never-seen' | 'jose-verify' | 'jose-verify-key' | 'crypto-verify';

export interface Fixture {
  alg: Alg;
  tokens: string[];
  publicKey: CryptoKey;
  nodeKey: KeyObject;
  jwks: JWTVerifyGetKey;
}

/** `tokenCount` access tokens shaped like Gatehouse's (RFC 9068, sid and client_id), valid for an hour. */
export async function makeFixture(alg: Alg, tokenCount: number): Promise<Fixture> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const kid = `bench-${alg}`;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] });
  const nowSeconds = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let index = 0; index < tokenCount; index += 1) {
    tokens.push(
      await new SignJWT({ client_id: 'cli_bench', scope: 'notes:read notes:write', sid: `ses_${index % 97}` })
        .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(`usr_${index}`)
        .setJti(`at_${alg}_${index}`)
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + 3600)
        .sign(privateKey),
    );
  }
  return { alg, tokens, publicKey, nodeKey: KeyObject.from(publicKey), jwks };
}

const joseOptions = {
  algorithms: ['ES256', 'EdDSA', 'RS256'],
  issuer,
  audience,
  typ: 'at+jwt',
  requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid', 'client_id'],
  clockTolerance: 5,
};

function newVerifier(fixture: Fixture): Verifier {
  return createVerifier({ issuer, audience, jwks: fixture.jwks, cacheMaxEntries: Math.max(10_000, fixture.tokens.length) });
}

function rawVerifier(fixture: Fixture): (token: string) => boolean {
  const { alg, nodeKey } = fixture;
  return (token) => {
    const lastDot = token.lastIndexOf('.');
    const signingInput = Buffer.from(token.slice(0, lastDot));
    const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
    if (alg === 'ES256') return cryptoVerify('sha256', signingInput, { key: nodeKey, dsaEncoding: 'ieee-p1363' }, signature);
    return cryptoVerify(alg === 'EdDSA' ? null : 'sha256', signingInput, nodeKey, signature);
  };
}

/**
 * Runs one case for `durationMs`, one operation after another (awaited, as a request handler
 * would), cycling over the fixture's tokens. For sdk-never-seen a new verifier takes over each
 * time the tokens run out, so no token is ever seen twice by the same verifier.
 */
export async function runVerifyCase(fixture: Fixture, which: VerifyCase, durationMs: number): Promise<{ operations: number; elapsedSeconds: number; perSecond: number }> {
  const { tokens } = fixture;
  let verifier = newVerifier(fixture);
  const check = rawVerifier(fixture);
  const seen = tokens[0] as string;
  if (which === 'sdk-seen') await verifier.verify(seen);
  const one: (index: number) => unknown = {
    'sdk-seen': () => verifier.verify(seen),
    'sdk-never-seen': (index: number) => {
      if (index === 0) verifier = newVerifier(fixture);
      return verifier.verify(tokens[index] as string);
    },
    'jose-verify': (index: number) => jwtVerify(tokens[index] as string, fixture.jwks, joseOptions),
    'jose-verify-key': (index: number) => jwtVerify(tokens[index] as string, fixture.publicKey, joseOptions),
    'crypto-verify': (index: number) => {
      if (!check(tokens[index] as string)) throw new Error('raw verify failed');
    },
  }[which];
  let operations = 0;
  let index = 0;
  const start = performance.now();
  let elapsedMs = 0;
  while (elapsedMs < durationMs) {
    for (let batch = 0; batch < 100; batch += 1) {
      await one(index);
      index = index + 1 === tokens.length ? 0 : index + 1;
    }
    operations += 100;
    elapsedMs = performance.now() - start;
  }
  verifier.close();
  return { operations, elapsedSeconds: elapsedMs / 1000, perSecond: operations / (elapsedMs / 1000) };
}
