import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, SignJWT } from 'jose';
import { attackerCertificateDerBase64, attackerPrivateKeyPem } from './fixtures/attacker-x5c.ts';
import {
  assertRefused,
  audience,
  base64url,
  countingJwks,
  craftToken,
  fixedNowSeconds,
  flipByte,
  issuer,
  makeSigningKey,
  makeSigningKeys,
  makeVerifier,
  mintAccessToken,
  segments,
  signBytes,
  testAlgorithms,
  validClaims,
  type SigningKey,
  type TestAlgorithm,
} from './support/tokens.ts';

/**
 * docs/security.md "JWT and JWKS", SEC-20 to SEC-27, one describe per case, each refusal
 * asserted by its stable code. SEC-28 (revocation vs re-encoding) is in revocation.test.ts; the
 * "no outbound fetch" half of SEC-22 against a real HTTP server is in remote-jwks.test.ts.
 */

let keys: Record<TestAlgorithm, SigningKey>;
let attacker: SigningKey;
before(async () => {
  keys = await makeSigningKeys();
  // Same algorithm and the same kid as our ES256 key: only the key material differs.
  attacker = await makeSigningKey('ES256', keys.ES256.kid);
});

describe('SEC-20: alg none, in any casing, is refused before any key is looked up', () => {
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    it(`alg "${alg}" -> token_algorithm_not_allowed`, async () => {
      const { jwks, calls } = countingJwks(Object.values(keys));
      const verifier = makeVerifier([], { jwks });
      const header = { alg, typ: 'at+jwt', kid: keys.ES256.kid };
      // Crafted by hand (base64url header + payload + empty signature): no library would make it.
      await assertRefused(verifier.verify(craftToken(header, validClaims())), 'token_algorithm_not_allowed');
      await assertRefused(verifier.verify(craftToken(header, validClaims(), 'c2lnbmF0dXJl')), 'token_algorithm_not_allowed');
      assert.equal(calls(), 0, 'the allowlist is checked before any key is resolved');
    });
  }

  it('a header without alg, or with a non-string alg -> token_malformed', async () => {
    const verifier = makeVerifier(Object.values(keys));
    await assertRefused(verifier.verify(craftToken({ typ: 'at+jwt' }, validClaims(), 'AAAA')), 'token_malformed');
    await assertRefused(verifier.verify(craftToken({ alg: ['ES256'], typ: 'at+jwt' }, validClaims(), 'AAAA')), 'token_malformed');
  });
});

describe('SEC-21: a token re-signed with HS256 using the public key is refused (RFC 8725 2.1)', () => {
  for (const alg of testAlgorithms) {
    it(`${alg} public key used as the HMAC secret, in every usual encoding -> token_algorithm_not_allowed`, async () => {
      const key = keys[alg];
      const spkiPem = await exportSPKI(key.publicKey);
      const jwk = await exportJWK(key.publicKey);
      const secrets: Record<string, Buffer> = {
        'SPKI PEM': Buffer.from(spkiPem),
        'SPKI DER': Buffer.from(spkiPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'),
        'JWK JSON': Buffer.from(JSON.stringify(key.publicJwk)),
        'raw x / n': Buffer.from((jwk.x ?? jwk.n)!, 'base64url'),
      };
      const { jwks, calls } = countingJwks(Object.values(keys));
      const verifier = makeVerifier([], { jwks });
      for (const [label, secret] of Object.entries(secrets)) {
        for (const hs of ['HS256', 'HS384', 'HS512', 'hs256']) {
          const header = { alg: hs, typ: 'at+jwt', kid: key.kid };
          const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(validClaims()))}`;
          const bits = hs.slice(2);
          const mac = createHmac(`sha${bits}`, secret).update(signingInput).digest('base64url');
          await assertRefused(verifier.verify(`${signingInput}.${mac}`), 'token_algorithm_not_allowed', `${label} ${hs}`);
        }
      }
      assert.equal(calls(), 0, 'an HS token never reaches the key resolver');
    });
  }
});

describe('SEC-22: keys in the token header (jwk, jku, x5u, x5c) are ignored', () => {
  it('an embedded jwk of the attacker key, with or without our kid -> token_invalid_signature', async () => {
    const verifier = makeVerifier([keys.ES256]);
    const header = { jwk: attacker.publicJwk };
    await assertRefused(verifier.verify(await mintAccessToken(attacker, { header })), 'token_invalid_signature');
    await assertRefused(verifier.verify(await mintAccessToken(attacker, { header: { ...header, kid: undefined } })), 'token_invalid_signature');
    const { kid: _kid, ...jwkWithoutKid } = attacker.publicJwk;
    await assertRefused(verifier.verify(await mintAccessToken(attacker, { header: { jwk: jwkWithoutKid, kid: 'attacker' } })), 'token_unknown_key');
  });

  it('jku and x5u pointing at the attacker -> token_invalid_signature (no fetch: see remote-jwks.test.ts)', async () => {
    const verifier = makeVerifier([keys.ES256]);
    for (const header of [{ jku: 'https://attacker.example/jwks.json' }, { x5u: 'https://attacker.example/cert.pem' }]) {
      await assertRefused(verifier.verify(await mintAccessToken(attacker, { header })), 'token_invalid_signature', JSON.stringify(header));
    }
  });

  it('x5c holding a real self-signed certificate of the signing key -> token_invalid_signature', async () => {
    const privateKey = createPrivateKey(attackerPrivateKeyPem);
    const token = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: keys.ES256.kid, x5c: [attackerCertificateDerBase64] })
      .sign(privateKey);
    await assertRefused(makeVerifier([keys.ES256]).verify(token), 'token_invalid_signature');
    const withoutKid = await new SignJWT(validClaims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', x5c: [attackerCertificateDerBase64] }).sign(privateKey);
    await assertRefused(makeVerifier([keys.ES256]).verify(withoutKid), 'token_invalid_signature');
  });
});

describe('SEC-23: hostile kid values find no key and inject nothing', () => {
  for (const kid of ['../../dev/null', "' OR 1=1--", '/etc/passwd', '', '*', `${'a'.repeat(4096)}`, 'key-es256\u0000', 'KEY-ES256']) {
    it(`kid ${JSON.stringify(kid.slice(0, 24))} -> token_unknown_key`, async () => {
      const { jwks, kids } = countingJwks(Object.values(keys));
      // Signed with our real key: only the kid is hostile.
      const token = await mintAccessToken(keys.ES256, { header: { kid } });
      const error = await assertRefused(makeVerifier([], { jwks }).verify(token), 'token_unknown_key');
      assert.deepEqual(kids, [kid], 'the kid is compared as an opaque string, nothing else is looked up');
      assert.ok(!error.message.includes(kid) || kid === '', 'the kid is not echoed in the error message');
    });
  }

  it('a kid that is not a string (object, number, array) -> token_unknown_key', async () => {
    for (const kid of [{ $ne: null }, 1, ['key-es256']]) {
      await assertRefused(makeVerifier([keys.ES256]).verify(await mintAccessToken(keys.ES256, { header: { kid } })), 'token_unknown_key', JSON.stringify(kid));
    }
  });
});

describe('SEC-24: expired, nbf in the future, or no exp', () => {
  it('exp in the past (beyond the 5 s tolerance) -> token_expired', async () => {
    const verifier = makeVerifier([keys.ES256]);
    for (const exp of [fixedNowSeconds - 6, fixedNowSeconds - 3600, 0]) {
      await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { claims: { exp } })), 'token_expired', String(exp));
    }
  });

  it('nbf in the future (beyond the tolerance) -> token_not_yet_valid; within it, accepted', async () => {
    const verifier = makeVerifier([keys.ES256]);
    await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { claims: { nbf: fixedNowSeconds + 60 } })), 'token_not_yet_valid');
    await verifier.verify(await mintAccessToken(keys.ES256, { claims: { nbf: fixedNowSeconds + 4 } }));
  });

  it('no exp -> token_missing_claim (exp)', async () => {
    const error = await assertRefused(makeVerifier([keys.ES256]).verify(await mintAccessToken(keys.ES256, { claims: { exp: undefined } })), 'token_missing_claim');
    assert.equal(error.claim, 'exp');
  });
});

describe('SEC-25: wrong or missing aud, wrong iss', () => {
  it('aud of another resource server, missing, or an array without ours -> token_wrong_audience', async () => {
    const verifier = makeVerifier([keys.ES256]);
    for (const aud of ['https://other.example.test', `${audience}/`, undefined, [], ['https://other.example.test'], 42]) {
      await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { claims: { aud } })), 'token_wrong_audience', JSON.stringify(aud));
    }
  });

  it('iss of another issuer, missing, or not exactly ours -> token_wrong_issuer', async () => {
    const verifier = makeVerifier([keys.ES256]);
    for (const iss of ['https://evil.example', `${issuer}/`, issuer.toUpperCase(), undefined, [issuer]]) {
      await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { claims: { iss } })), 'token_wrong_issuer', JSON.stringify(iss));
    }
  });
});

describe('SEC-26: a token whose typ is not at+jwt is not an access token', () => {
  for (const typ of ['JWT', 'jwt', 'application/jwt', undefined, 'id_token+jwt', 'rt+jwt', 'refresh+jwt', 'logout+jwt', 'secevent+jwt', 'dpop+jwt', 'at+jwe', 'at+jwt2', 'xat+jwt', 1]) {
    it(`typ ${JSON.stringify(typ)} -> token_wrong_type`, async () => {
      await assertRefused(makeVerifier([keys.ES256]).verify(await mintAccessToken(keys.ES256, { header: { typ } })), 'token_wrong_type');
    });
  }

  it('an OIDC ID token (typ JWT, aud = the client, nonce) signed by the same issuer -> token_wrong_type', async () => {
    const idToken = await mintAccessToken(keys.ES256, { header: { typ: 'JWT' }, claims: { aud: audience, nonce: 'n-0S6_WzA2Mj', auth_time: fixedNowSeconds } });
    await assertRefused(makeVerifier([keys.ES256]).verify(idToken), 'token_wrong_type');
  });

  it('a Gatehouse refresh or session token (opaque `id.secret`) sent as a bearer token -> token_malformed', async () => {
    const opaque = `${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    await assertRefused(makeVerifier([keys.ES256]).verify(opaque), 'token_malformed');
  });
});

describe('SEC-27: one flipped byte, JSON serialization, invalid UTF-8, unknown crit', () => {
  for (const alg of testAlgorithms) {
    it(`${alg}: one flipped byte in the signature or the payload -> token_invalid_signature`, async () => {
      const verifier = makeVerifier(Object.values(keys));
      const token = await mintAccessToken(keys[alg]);
      const signatureLength = Buffer.from(segments(token)[2], 'base64url').length;
      for (const index of [0, 10, signatureLength - 1]) {
        await assertRefused(verifier.verify(flipByte(token, 2, index)), 'token_invalid_signature', `signature byte ${index}`);
      }
      // Byte 10 of the payload is inside "iss":"https://... ; the JSON stays valid, the bytes do not match.
      const payloadFlipped = flipByte(token, 1, 10, 0x20);
      assert.doesNotThrow(() => JSON.parse(Buffer.from(segments(payloadFlipped)[1], 'base64url').toString()));
      await assertRefused(verifier.verify(payloadFlipped), 'token_invalid_signature', 'payload');
      await verifier.verify(token);
    });
  }

  it('the token in JWS JSON serialization (flattened or general) -> token_malformed', async () => {
    const verifier = makeVerifier([keys.ES256]);
    const [protectedHeader, payload, signature] = segments(await mintAccessToken(keys.ES256));
    await assertRefused(verifier.verify(JSON.stringify({ protected: protectedHeader, payload, signature })), 'token_malformed');
    await assertRefused(verifier.verify(JSON.stringify({ payload, signatures: [{ protected: protectedHeader, signature }] })), 'token_malformed');
  });

  it('invalid UTF-8 in a properly signed payload or header -> token_malformed', async () => {
    const verifier = makeVerifier([keys.ES256]);
    const claims = JSON.stringify(validClaims());
    // {"sub":"<0xff 0xfe>", ...}: a lenient decoder would read U+FFFD and carry on.
    const invalidPayload = Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xff, 0xfe]), Buffer.from(`",${claims.slice(1)}`)]);
    await assertRefused(verifier.verify(signBytes(keys.ES256, {}, invalidPayload)), 'token_malformed', 'payload');
    const overlong = Buffer.concat([Buffer.from(claims.slice(0, -1)), Buffer.from(',"x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    await assertRefused(verifier.verify(signBytes(keys.ES256, {}, overlong)), 'token_malformed', 'overlong encoding');
    const valid = segments(await mintAccessToken(keys.ES256));
    const badHeader = Buffer.concat([Buffer.from(`{"alg":"ES256","typ":"at+jwt","kid":"`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    await assertRefused(verifier.verify(`${badHeader.toString('base64url')}.${valid[1]}.${valid[2]}`), 'token_malformed', 'header');
  });

  it('an unknown crit extension, even properly signed -> token_malformed', async () => {
    const { jwks, calls } = countingJwks([keys.ES256]);
    const verifier = makeVerifier([], { jwks });
    const token = await mintAccessToken(keys.ES256, { header: { crit: ['urn:example:must-understand'], 'urn:example:must-understand': true }, crit: { 'urn:example:must-understand': true } });
    await assertRefused(verifier.verify(token), 'token_malformed');
    const listedButAbsent = signBytes(keys.ES256, { crit: ['exp'] }, Buffer.from(JSON.stringify(validClaims())));
    await assertRefused(verifier.verify(listedButAbsent), 'token_malformed');
    const empty = signBytes(keys.ES256, { crit: [] }, Buffer.from(JSON.stringify(validClaims())));
    await assertRefused(verifier.verify(empty), 'token_malformed');
    assert.equal(calls(), 0, 'crit is checked before any key is resolved');
  });

  it('crit b64=false (unencoded payload) -> token_malformed', async () => {
    const token = signBytes(keys.ES256, { crit: ['b64'], b64: false }, Buffer.from('{}'));
    await assertRefused(makeVerifier([keys.ES256]).verify(token), 'token_malformed');
  });
});
