import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactDecrypt, jwtVerify, createLocalJWKSet, SignJWT } from 'jose';
import { deriveKeyEncryptionKeys, decryptPrivateJwk } from '../../../src/core/tokens/key-encryption.ts';
import { createKeyRing, currentKey } from '../../../src/core/tokens/key-ring.ts';
import { signingAlgorithms } from '../../../src/core/tokens/signing-algorithms.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { createManualClock } from '../../support/core-deps.ts';

const minute = 60_000;
const secrets = ['a-long-server-secret-of-more-than-32-chars'];

function ring(
  overrides: { secrets?: string[]; algorithm?: (typeof signingAlgorithms)[number]; store?: ReturnType<typeof createMemoryStore>; clock?: ReturnType<typeof createManualClock> } = {},
) {
  const store = overrides.store ?? createMemoryStore();
  const clock = overrides.clock ?? createManualClock();
  const keyRing = createKeyRing({
    store: store.signingKeys,
    clock,
    encryptionKeys: deriveKeyEncryptionKeys(overrides.secrets ?? secrets),
    algorithm: overrides.algorithm ?? 'ES256',
    accessTokenTtlMs: 5 * minute,
    publishAheadMs: 5 * minute,
  });
  return { store, clock, keyRing };
}

async function sign(keyRing: ReturnType<typeof ring>['keyRing']): Promise<string> {
  const { kid, alg, privateKey } = await keyRing.activeKey();
  return new SignJWT({}).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).setExpirationTime('5m').sign(privateKey);
}

describe('key ring', () => {
  for (const algorithm of signingAlgorithms) {
    it(`creates a first ${algorithm} key that signs tokens the JWKS verifies`, async () => {
      const { keyRing } = ring({ algorithm });
      await keyRing.ensureKey();
      const token = await sign(keyRing);
      const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(await keyRing.publicJwks()), { algorithms: [algorithm] });
      assert.equal(protectedHeader.alg, algorithm);
    });
  }

  it('ensureKey is idempotent', async () => {
    const { keyRing, store } = ring();
    await keyRing.ensureKey();
    await keyRing.ensureKey();
    assert.equal((await store.signingKeys.list()).length, 1);
  });

  it('SEC-29: the JWKS holds public members only', async () => {
    for (const algorithm of signingAlgorithms) {
      const { keyRing } = ring({ algorithm });
      await keyRing.ensureKey();
      for (const jwk of (await keyRing.publicJwks()).keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(member in jwk, false, `${algorithm} ${member}`);
        assert.equal(jwk.use, 'sig');
        assert.ok(jwk.kid);
      }
    }
  });

  it('stores the private key only encrypted under the server secret (SEC-80)', async () => {
    const { keyRing, store } = ring();
    await keyRing.ensureKey();
    const [record] = await store.signingKeys.list();
    assert.ok(record);
    assert.equal(record.privateJwe.split('.').length, 5, 'a compact JWE');
    assert.doesNotMatch(record.privateJwe, /"d"/);
    const jwk = await decryptPrivateJwk(record.privateJwe, deriveKeyEncryptionKeys(secrets));
    assert.ok(typeof jwk.d === 'string');
    await assert.rejects(compactDecrypt(record.privateJwe, deriveKeyEncryptionKeys(['another-secret-another-secret-another'])[0] as Uint8Array));
    await assert.rejects(decryptPrivateJwk(record.privateJwe, deriveKeyEncryptionKeys(['another-secret-another-secret-another'])));
  });

  it('still decrypts keys made under an older secret after the secret rotates (SEC-80)', async () => {
    const { keyRing, store, clock } = ring();
    await keyRing.ensureKey();
    const rotated = createKeyRing({
      store: store.signingKeys,
      clock,
      encryptionKeys: deriveKeyEncryptionKeys(['the-new-secret-the-new-secret-the-new-1', ...secrets]),
      algorithm: 'EdDSA',
      accessTokenTtlMs: 5 * minute,
      publishAheadMs: 5 * minute,
    });
    assert.ok((await rotated.activeKey()).privateKey);
  });

  it('rotate publishes the new key before it signs, and keeps the old one until its last token expires (SEC-80)', async () => {
    const { keyRing, clock } = ring();
    await keyRing.ensureKey();
    const oldKid = (await keyRing.activeKey()).kid;
    const { kid: newKid, retiredKid } = await keyRing.rotate();
    assert.equal(retiredKid, oldKid);
    const published = () => keyRing.publicJwks().then((j) => j.keys.map((k) => k.kid));

    assert.deepEqual((await published()).sort(), [newKid, oldKid].sort(), 'the new key is published at once');
    assert.equal((await keyRing.activeKey()).kid, oldKid, '...but does not sign yet');
    const lastOldToken = await sign(keyRing);

    clock.advance(5 * minute);
    assert.equal((await keyRing.activeKey()).kid, newKid, 'it signs once the publish-ahead time has passed');
    assert.ok((await published()).includes(oldKid), 'the old key stays while its tokens may be alive');
    await jwtVerify(lastOldToken, createLocalJWKSet(await keyRing.publicJwks()), { currentDate: new Date(clock.nowMs()) });

    clock.advance(5 * minute + 60_000);
    await keyRing.deleteExpired();
    assert.deepEqual(await published(), [newKid], 'gone once no token it signed can be valid');
  });

  it('rotateIfDue rotates once the newest key is a full interval old, publishing ahead as a manual rotation does', async () => {
    const { clock, keyRing } = ring();
    const day = 24 * 60 * minute;
    assert.equal(await keyRing.rotateIfDue(90 * day), null, 'no key at all: ensureKey makes the first one');
    await keyRing.ensureKey();
    const first = (await keyRing.activeKey()).kid;
    clock.advance(90 * day - 1);
    assert.equal(await keyRing.rotateIfDue(90 * day), null, 'not due yet');
    clock.advance(1);
    const rotated = await keyRing.rotateIfDue(90 * day);
    assert.ok(rotated !== null, 'due');
    assert.equal(rotated.retiredKid, first);
    assert.equal(rotated.activatesAtMs, clock.nowMs() + 5 * minute, 'published ahead');
    assert.equal((await keyRing.activeKey()).kid, first, 'the old key signs until the new one activates');
    assert.deepEqual((await keyRing.publicJwks()).keys.map((k) => k.kid).sort(), [first, rotated.kid].sort());
    assert.equal(await keyRing.rotateIfDue(90 * day), null, 'the waiting key is not rotated away');
    clock.advance(5 * minute);
    assert.equal((await keyRing.activeKey()).kid, rotated.kid);
    clock.advance(90 * day - 5 * minute);
    assert.notEqual(await keyRing.rotateIfDue(90 * day), null, 'due again one interval after the last rotation');
  });

  it('a changed algorithm: start-up schedules a publish-ahead rotation to a key of the new one, once', async () => {
    const before = ring({ algorithm: 'EdDSA' });
    await before.keyRing.ensureKey();
    assert.equal(await before.keyRing.rotateToConfiguredAlgorithm(), null, 'the configured algorithm already signs');
    const oldKid = (await before.keyRing.activeKey()).kid;

    // The same database, restarted with GATEHOUSE_TOKEN_ALGORITHM=ES256.
    const after = ring({ algorithm: 'ES256', store: before.store, clock: before.clock });
    await after.keyRing.ensureKey();
    const switched = await after.keyRing.rotateToConfiguredAlgorithm();
    assert.ok(switched !== null);
    assert.equal(switched.fromAlg, 'EdDSA');
    assert.equal(switched.toAlg, 'ES256');
    assert.equal(switched.retiredKid, oldKid);
    assert.equal(switched.activatesAtMs, before.clock.nowMs() + 5 * minute, 'published ahead, not at once');
    const published = (await after.keyRing.publicJwks()).keys.map((jwk) => [jwk.kid, jwk.alg]);
    assert.deepEqual(published.sort(), [[oldKid, 'EdDSA'], [switched.kid, 'ES256']].sort(), 'both keys in the JWKS');
    assert.equal((await after.keyRing.activeKey()).alg, 'EdDSA', 'the old key signs until the new one is published long enough');
    // A second restart (or a second instance) before the switch finds it already scheduled.
    assert.equal(await after.keyRing.rotateToConfiguredAlgorithm(), null);
    assert.equal((await after.store.signingKeys.list()).length, 2);

    before.clock.advance(5 * minute);
    const active = await after.keyRing.activeKey();
    assert.equal(active.kid, switched.kid);
    assert.equal(active.alg, 'ES256');
    assert.equal(await after.keyRing.rotateToConfiguredAlgorithm(), null);
  });

  it('currentKey picks the newest active, unretired key', () => {
    const base = { alg: 'EdDSA', publicJwk: '{}', privateJwe: '', createdAtMs: 0, expiresAtMs: null };
    const keys = [
      { ...base, kid: 'a', activatesAtMs: 0, retiresAtMs: 100 },
      { ...base, kid: 'b', activatesAtMs: 100, retiresAtMs: null },
      { ...base, kid: 'c', activatesAtMs: 200, retiresAtMs: null },
    ];
    assert.equal(currentKey(keys, 50)?.kid, 'a');
    assert.equal(currentKey(keys, 150)?.kid, 'b');
    assert.equal(currentKey(keys, 250)?.kid, 'c');
    assert.equal(currentKey([], 0), null);
  });
});
