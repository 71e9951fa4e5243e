import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { signJwt } from '../../../src/core/tokens/sign-jwt.ts';
import { signingAlgorithms, type SigningAlgorithm } from '../../../src/core/tokens/signing-algorithms.ts';

function keyPair(alg: SigningAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519');
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

describe('signJwt', () => {
  for (const alg of signingAlgorithms) {
    it(`${alg}: jose verifies the token, with its header and every claim as given`, async () => {
      const { privateKey, publicKey } = keyPair(alg);
      const claims = { sub: 'user-1', aud: 'https://api.example.com', iss: 'https://auth.example.com', exp: Math.floor(Date.now() / 1000) + 300, jti: 'j1', scope: 'a b', sid: 's-ü' };
      const token = signJwt({ alg, kid: 'k1', typ: 'at+jwt' }, claims, privateKey);
      const { payload, protectedHeader } = await jwtVerify(token, publicKey, { algorithms: [alg], issuer: claims.iss, audience: claims.aud, typ: 'at+jwt' });
      assert.deepEqual(protectedHeader, { alg, kid: 'k1', typ: 'at+jwt' });
      assert.deepEqual(payload, claims);
      assert.deepEqual(decodeProtectedHeader(token), protectedHeader);
      if (alg === 'ES256') assert.equal(Buffer.from(token.split('.')[2] ?? '', 'base64url').length, 64, 'r || s, as JWS wants, not DER');
    });
  }

  it('a token signed with another key, or altered, does not verify', async () => {
    const { privateKey, publicKey } = keyPair('ES256');
    const other = keyPair('ES256');
    const token = signJwt({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' }, { sub: 'user-1' }, privateKey);
    await assert.rejects(jwtVerify(token, other.publicKey, { algorithms: ['ES256'] }));
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${signature}`;
    await jwtVerify(token, publicKey, { algorithms: ['ES256'] });
    await assert.rejects(jwtVerify(forged, publicKey, { algorithms: ['ES256'] }));
  });
});
