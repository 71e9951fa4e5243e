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
  type SigningKey,
  type TestAlgorithm,
  type TestClock,
} from './support/tokens.ts';

let keys: Record<TestAlgorithm, SigningKey>;
before(async () => {
  keys = await makeSigningKeys();
});

describe('the cache of verified tokens', () => {
  it('serves a token seen before without resolving a key or verifying again', async () => {
    const { jwks, calls } = countingJwks([keys.ES256]);
    const verifier = makeVerifier([], { jwks });
    const token = await mintAccessToken(keys.ES256);
    const first = await verifier.verify(token);
    const second = await verifier.verify(token);
    assert.equal(calls(), 1);
    assert.equal(second, first, 'the same frozen claims object');
  });

  it('is bounded by cacheMaxEntries, evicting the least recently used (SEC-86)', async () => {
    const { jwks, calls } = countingJwks([keys.ES256]);
    const verifier = makeVerifier([], { jwks, cacheMaxEntries: 2 });
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => mintAccessToken(keys.ES256)));
    await verifier.verify(a!);
    await verifier.verify(b!);
    await verifier.verify(a!); // a is now the most recently used
    assert.equal(calls(), 2);
    await verifier.verify(c!); // evicts b
    assert.equal(calls(), 3);
    await verifier.verify(a!);
    await verifier.verify(c!);
    assert.equal(calls(), 3, 'a and c are cached');
    await verifier.verify(b!);
    assert.equal(calls(), 4, 'b was evicted and verified again');
  });

  it('cacheMaxEntries 0 turns the cache off', async () => {
    const { jwks, calls } = countingJwks([keys.ES256]);
    const verifier = makeVerifier([], { jwks, cacheMaxEntries: 0 });
    const token = await mintAccessToken(keys.ES256);
    await verifier.verify(token);
    await verifier.verify(token);
    assert.equal(calls(), 2);
  });

  it('honours exp: past exp (and the tolerance) the entry is dropped and re-verification fails as expired (SEC-86)', async () => {
    const clock: TestClock = { nowMs: fixedNowMs };
    const { jwks, calls } = countingJwks([keys.ES256]);
    const verifier = makeVerifier([], { jwks }, clock);
    const token = await mintAccessToken(keys.ES256, { claims: { exp: fixedNowSeconds + 60 } });
    await verifier.verify(token);
    clock.nowMs = fixedNowMs + 64_999; // exp + 4.999 s: inside the 5 s tolerance, served from the cache
    await verifier.verify(token);
    assert.equal(calls(), 1);
    clock.nowMs = fixedNowMs + 65_000; // exp + 5 s: jose's rule, exp <= now - tolerance
    await assertRefused(verifier.verify(token), 'token_expired');
    assert.equal(calls(), 2, 'the cached entry was evicted and the token verified again');
    await assertRefused(verifier.verify(token), 'token_expired');
  });

  it('does not cache refusals (SEC-86)', async () => {
    const { jwks, calls } = countingJwks([keys.ES256]);
    const verifier = makeVerifier([], { jwks });
    const token = await mintAccessToken(keys.ES256, { claims: { aud: 'https://other.example.test' } });
    await assertRefused(verifier.verify(token), 'token_wrong_audience');
    await assertRefused(verifier.verify(token), 'token_wrong_audience');
    assert.equal(calls(), 2);
  });

  it('a cached token of a revoked sid is refused until the revocation expires (SEC-86)', async () => {
    const clock: TestClock = { nowMs: fixedNowMs };
    const verifier = makeVerifier([keys.ES256], {}, clock);
    const token = await mintAccessToken(keys.ES256);
    await verifier.verify(token);
    verifier.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs + 1000 });
    await assertRefused(verifier.verify(token), 'token_revoked');
    clock.nowMs = fixedNowMs + 1000;
    await verifier.verify(token);
  });
});
