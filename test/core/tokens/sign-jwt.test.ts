import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { joseEcdsaSignature, signJwt } from '../../../src/core/tokens/sign-jwt.ts';
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

  it('ES256: every signature is r || s, including r or s shorter than 32 bytes or with a DER sign byte (2,000 signatures)', () => {
    const { privateKey, publicKey } = keyPair('ES256');
    let short = 0;
    let padded = 0;
    for (let i = 0; i < 2000; i++) {
      const data = Buffer.from(`claims ${i}`);
      const der = sign('sha256', data, privateKey);
      for (const at of [3, 5 + (der[3] as number)]) {
        if ((der[at] as number) < 32) short++;
        if ((der[at] as number) > 32) padded++;
      }
      const jose = joseEcdsaSignature(der, 32);
      assert.equal(jose.length, 64);
      assert.ok(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose), `signature ${i} verifies as r || s`);
    }
    assert.ok(padded > 0, 'some integers carried a DER sign byte');
    // About 1 in 128 signatures has a short integer: 2,000 give ~30; none would be a fluke of 1 in 10^6.
    assert.ok(short > 0, 'some integers were shorter than 32 bytes');
  });

  it('joseEcdsaSignature: left-pads a short integer, drops a sign byte, and refuses what is not a DER signature', () => {
    const r = Buffer.alloc(31, 0x11);
    const s = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(32, 0x88)]);
    const der = Buffer.concat([Buffer.from([0x30, 2 + r.length + 2 + s.length, 0x02, r.length]), r, Buffer.from([0x02, s.length]), s]);
    assert.deepEqual(joseEcdsaSignature(der, 32), Buffer.concat([Buffer.from([0x00]), r, Buffer.alloc(32, 0x88)]));
    assert.throws(() => joseEcdsaSignature(Buffer.concat([der, Buffer.from([0])]), 32), /not a DER SEQUENCE/);
    const long = Buffer.concat([Buffer.from([0x30, 2 + 33 + 2 + 1, 0x02, 33]), Buffer.alloc(33, 0x01), Buffer.from([0x02, 1, 0x05])]);
    assert.throws(() => joseEcdsaSignature(long, 32), /too long/);
    const notInteger = Buffer.from(der);
    notInteger[2] = 0x04;
    assert.throws(() => joseEcdsaSignature(notInteger, 32), /not a DER INTEGER/);
  });
});
