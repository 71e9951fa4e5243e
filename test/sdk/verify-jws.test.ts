import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVerifier, verifyJws } from '../../packages/sdk/src/index.ts';
import { assertRefused, audience, flipByte, issuer, makeSigningKey } from './support/tokens.ts';

/**
 * Published examples, copied from the RFCs (RFC 7520 through its companion repository
 * ietf-jose/cookbook, jws/4_1.rsa_v15_signature.json and jws/4_3.ecdsa_signature.json):
 * the SDK must verify what the standard says verifies, and refuse what it must refuse.
 */

/** RFC 7520 4 payload; note the U+2019 apostrophes in "It’s" and "there’s" and the ASCII one in "don't". */
const frodo =
  'It\u2019s a dangerous business, Frodo, going out your door. You step onto the road, and if you don\'t keep your feet, there\u2019s no knowing where you might be swept off to.';

/** RFC 7520 3.3 (public part only): the RSA key of 4.1. */
const rfc7520RsaKey = {
  kty: 'RSA',
  kid: 'bilbo.baggins@hobbiton.example',
  use: 'sig',
  n:
    'n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw',
  e: 'AQAB',
};

/** RFC 7520 4.1: RSA v1.5 signature (RS256). */
const rfc7520Rs256 =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9' +
  '.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4' +
  '.MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg';

/** RFC 7520 3.2 (public part only): the P-521 key of 4.3. */
const rfc7520EcKey = {
  kty: 'EC',
  kid: 'bilbo.baggins@hobbiton.example',
  use: 'sig',
  crv: 'P-521',
  x: 'AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt',
  y: 'AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1',
};

/** RFC 7520 4.3: ECDSA signature (ES512). */
const rfc7520Es512 =
  'eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9' +
  '.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4' +
  '.AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2';

/** RFC 7515 Appendix A.1: an HS256 JWT, exp 1300819380 (2011-03-22). */
const rfc7515A1 =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
/** RFC 7515 A.1's HMAC key, the secret that makes the token above verify. */
const rfc7515A1Key = { kty: 'oct', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow' };

describe('verifyJws: RFC 7520 section 4 signature examples', () => {
  it('4.1 RS256 verifies and its payload is the RFC text', async () => {
    const { payload, protectedHeader } = await verifyJws(rfc7520Rs256, rfc7520RsaKey, { algorithms: ['RS256'] });
    assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(payload), frodo);
    assert.deepEqual(protectedHeader, { alg: 'RS256', kid: 'bilbo.baggins@hobbiton.example' });
  });

  it('4.3 ES512 verifies and its payload is the RFC text', async () => {
    const { payload, protectedHeader } = await verifyJws(rfc7520Es512, rfc7520EcKey, { algorithms: ['ES512'] });
    assert.equal(new TextDecoder('utf-8', { fatal: true }).decode(payload), frodo);
    assert.equal(protectedHeader.alg, 'ES512');
  });

  it('refuses the examples with one flipped byte, the wrong key, or an algorithm outside the allowlist', async () => {
    await assertRefused(verifyJws(flipByte(rfc7520Rs256, 1, 5), rfc7520RsaKey, { algorithms: ['RS256'] }), 'token_invalid_signature');
    await assertRefused(verifyJws(flipByte(rfc7520Es512, 2, 40), rfc7520EcKey, { algorithms: ['ES512'] }), 'token_invalid_signature');
    await assertRefused(verifyJws(rfc7520Rs256, rfc7520RsaKey, { algorithms: ['ES256', 'PS256'] }), 'token_algorithm_not_allowed');
    const other = await makeSigningKey('RS256');
    await assertRefused(verifyJws(rfc7520Rs256, other.publicKey, { algorithms: ['RS256'] }), 'token_invalid_signature');
    await assertRefused(verifyJws(rfc7520Es512, rfc7520RsaKey, { algorithms: ['ES512'] }), 'token_unknown_key');
  });

  it('never accepts HS* or none, and wants an explicit allowlist', async () => {
    await assert.rejects(verifyJws(rfc7515A1, rfc7515A1Key, { algorithms: ['HS256'] as never }), TypeError);
    await assert.rejects(verifyJws(rfc7515A1, rfc7515A1Key, { algorithms: ['none'] as never }), TypeError);
    await assert.rejects(verifyJws(rfc7520Rs256, rfc7520RsaKey, {} as never), TypeError);
    await assertRefused(verifyJws(rfc7515A1, rfc7515A1Key, { algorithms: ['RS256', 'ES256', 'EdDSA'] }), 'token_algorithm_not_allowed');
  });

  it('refuses JSON serialization and an unknown crit', async () => {
    const [header, payload, signature] = rfc7520Rs256.split('.');
    await assertRefused(verifyJws(JSON.stringify({ protected: header, payload, signature }), rfc7520RsaKey, { algorithms: ['RS256'] }), 'token_malformed');
    const withCrit = `${Buffer.from(JSON.stringify({ alg: 'RS256', crit: ['urn:x'], 'urn:x': 1 })).toString('base64url')}.${payload}.${signature}`;
    await assertRefused(verifyJws(withCrit, rfc7520RsaKey, { algorithms: ['RS256'] }), 'token_malformed');
  });
});

describe('RFC 7515 Appendix A.1 (HS256, expired in 2011) is refused as an access token', () => {
  it('-> token_algorithm_not_allowed (the allowlist is checked before exp; token_expired would also be a refusal)', async () => {
    const verifier = createVerifier({ issuer, audience, jwks: () => assert.fail('no key is ever resolved for an HS256 token') });
    const error = await assertRefused(verifier.verify(rfc7515A1), 'token_algorithm_not_allowed');
    assert.ok(['token_algorithm_not_allowed', 'token_expired'].includes(error.code));
  });
});
