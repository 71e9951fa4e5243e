import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  assertRefused,
  countingJwks,
  fixedNowMs,
  fixedNowSeconds,
  makeSigningKeys,
  makeVerifier,
  mintAccessToken,
  segments,
  testAlgorithms,
  type SigningKey,
  type TestAlgorithm,
  type TestClock,
} from './support/tokens.ts';

let keys: Record<TestAlgorithm, SigningKey>;
before(async () => {
  keys = await makeSigningKeys();
});

/** The order of the P-256 group: (r, s) and (r, n - s) are both valid ECDSA signatures. */
const p256Order = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * The same signature bytes, written with a non-canonical last base64url character: every signature
 * here (64 or 256 bytes) leaves 4 unused bits in its last character, which base64 decoders drop.
 */
function nonCanonicalSignature(token: string): string {
  const parts = segments(token);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(parts[2].at(-1)!);
  assert.equal(last & 0b1111, 0, 'canonical encodings leave the unused bits at zero');
  parts[2] = parts[2].slice(0, -1) + alphabet[last | 0b0101];
  assert.deepEqual(Buffer.from(parts[2], 'base64url'), Buffer.from(segments(token)[2], 'base64url'), 'same bytes');
  return parts.join('.');
}

/** An ES256 token with its signature's malleable twin (r, n - s): different bytes, still valid. */
function malleatedEcdsaSignature(token: string): string {
  const parts = segments(token);
  const signature = Buffer.from(parts[2], 'base64url');
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const twin = Buffer.from((p256Order - s).toString(16).padStart(64, '0'), 'hex');
  parts[2] = Buffer.concat([signature.subarray(0, 32), twin]).toString('base64url');
  return parts.join('.');
}

describe('revoke', () => {
  it('revoke({sid}) refuses every token of the session, cached or not, and leaves other sessions alone', async () => {
    const clock: TestClock = { nowMs: fixedNowMs };
    const verifier = makeVerifier([keys.ES256], {}, clock);
    const seen = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_a' } });
    const unseen = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_a' } });
    const otherSession = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_b' } });
    await verifier.verify(seen);
    verifier.revoke({ sid: 'ses_a', expiresAtMs: fixedNowMs + 600_000 });
    await assertRefused(verifier.verify(seen), 'token_revoked', 'cached before the revocation');
    await assertRefused(verifier.verify(unseen), 'token_revoked', 'never seen');
    await verifier.verify(otherSession);
  });

  it('revoke({jti}) refuses that token only', async () => {
    const verifier = makeVerifier([keys.ES256]);
    const token = await mintAccessToken(keys.ES256, { claims: { jti: 'at_revoked' } });
    const sibling = await mintAccessToken(keys.ES256, { claims: { jti: 'at_kept' } });
    await verifier.verify(token);
    verifier.revoke({ jti: 'at_revoked', expiresAtMs: fixedNowMs + 600_000 });
    const error = await assertRefused(verifier.verify(token), 'token_revoked');
    assert.equal(error.status, 401);
    await verifier.verify(sibling);
  });

  it('a signature check comes before revocation: a forged token of a revoked session is a bad signature, not "revoked" (SEC-86)', async () => {
    const verifier = makeVerifier([keys.ES256]);
    verifier.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs + 600_000 });
    const token = await mintAccessToken(keys.ES256);
    const forged = `${segments(token)[0]}.${segments(token)[1]}.${Buffer.alloc(64).toString('base64url')}`;
    await assertRefused(verifier.verify(forged), 'token_invalid_signature');
  });

  it('keeps an entry until expiresAtMs, then drops it (callers pass at least the tokens\u2019 exp)', async () => {
    const clock: TestClock = { nowMs: fixedNowMs };
    const verifier = makeVerifier([keys.ES256], {}, clock);
    const token = await mintAccessToken(keys.ES256, { claims: { exp: fixedNowSeconds + 3600 } });
    verifier.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs + 60_000 });
    clock.nowMs = fixedNowMs + 59_999;
    await assertRefused(verifier.verify(token), 'token_revoked');
    clock.nowMs = fixedNowMs + 60_000;
    await verifier.verify(token);
    verifier.revoke({ jti: 'already-over', expiresAtMs: fixedNowMs });
  });

  it('a later, longer revocation of the same sid extends it; a shorter one does not shorten it', async () => {
    const clock: TestClock = { nowMs: fixedNowMs };
    const verifier = makeVerifier([keys.ES256], {}, clock);
    const token = await mintAccessToken(keys.ES256, { claims: { exp: fixedNowSeconds + 3600 } });
    verifier.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs + 120_000 });
    verifier.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs + 10_000 });
    clock.nowMs = fixedNowMs + 60_000;
    await assertRefused(verifier.verify(token), 'token_revoked');
  });

  it('stays correct past the sweep of expired entries', async () => {
    const clock: TestClock = { nowMs: fixedNowMs };
    const verifier = makeVerifier([keys.ES256], {}, clock);
    const token = await mintAccessToken(keys.ES256, { claims: { exp: fixedNowSeconds + 3600 } });
    verifier.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs + 3_600_000 });
    for (let index = 0; index < 5000; index += 1) verifier.revoke({ jti: `short-${index}`, expiresAtMs: clock.nowMs + 1 });
    clock.nowMs += 10;
    for (let index = 0; index < 5000; index += 1) verifier.revoke({ jti: `more-${index}`, expiresAtMs: clock.nowMs + 1 });
    await assertRefused(verifier.verify(token), 'token_revoked');
  });
});

describe('SEC-28: a revoked token re-sent with a re-encoded signature is still refused', () => {
  for (const alg of testAlgorithms) {
    it(`${alg}: the same signature bytes in a non-canonical base64url encoding -> token_revoked`, async () => {
      const token = await mintAccessToken(keys[alg]);
      const reEncoded = nonCanonicalSignature(token);
      assert.notEqual(reEncoded, token);
      // Proof that the variant is a token jose accepts: a verifier without the revocation takes it.
      await makeVerifier([keys[alg]]).verify(reEncoded);

      const { jwks, calls } = countingJwks([keys[alg]]);
      const verifier = makeVerifier([], { jwks });
      await verifier.verify(token);
      verifier.revoke({ jti: (await verifier.verify(token)).jti, expiresAtMs: fixedNowMs + 600_000 });
      await assertRefused(verifier.verify(token), 'token_revoked', 'the same bytes');
      await assertRefused(verifier.verify(reEncoded), 'token_revoked', 'the re-encoded bytes');
      assert.equal(calls(), 2, 'the re-encoded token is a different string, so it was verified afresh, then refused');
    });
  }

  it('ES256: the malleable twin signature (r, n - s) -> token_revoked', async () => {
    const token = await mintAccessToken(keys.ES256);
    const twin = malleatedEcdsaSignature(token);
    assert.notDeepEqual(Buffer.from(segments(twin)[2], 'base64url'), Buffer.from(segments(token)[2], 'base64url'));
    await makeVerifier([keys.ES256]).verify(twin);

    const verifier = makeVerifier([keys.ES256]);
    await verifier.verify(token);
    verifier.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs + 600_000 });
    await assertRefused(verifier.verify(twin), 'token_revoked');
  });

  it('a freshly signed token with the same jti or sid but another iat -> token_revoked', async () => {
    const verifier = makeVerifier(Object.values(keys));
    const token = await mintAccessToken(keys.ES256, { claims: { jti: 'at_x', sid: 'ses_x' } });
    await verifier.verify(token);
    verifier.revoke({ jti: 'at_x', expiresAtMs: fixedNowMs + 600_000 });
    const reissued = await mintAccessToken(keys.EdDSA, { claims: { jti: 'at_x', sid: 'ses_y', iat: fixedNowSeconds - 30 } });
    await assertRefused(verifier.verify(reissued), 'token_revoked');
    verifier.revoke({ sid: 'ses_x', expiresAtMs: fixedNowMs + 600_000 });
    const sameSession = await mintAccessToken(keys.RS256, { claims: { jti: 'at_z', sid: 'ses_x', iat: fixedNowSeconds - 1 } });
    await assertRefused(verifier.verify(sameSession), 'token_revoked');
  });
});
