import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { createArgon2idHasher, nodeCryptoArgon2id, nodeRsArgon2id, owaspMinimumArgon2id } from '../../../src/core/credentials/argon2id.ts';

const hasher = createArgon2idHasher(owaspMinimumArgon2id, systemRandom);
const password = 'Correct Horse Battery Staple';
const phcPattern = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

describe('argon2id hasher (SEC-4, SEC-5)', () => {
  let stored = '';
  before(async () => {
    stored = await hasher.hash(password);
  });

  it('uses at least the OWASP minimum parameters', () => {
    assert.ok(owaspMinimumArgon2id.memoryKiB >= 19 * 1024);
    assert.ok(owaspMinimumArgon2id.passes >= 2);
    assert.equal(owaspMinimumArgon2id.parallelism, 1);
  });

  it('stores a PHC string: $argon2id$v=19$m=19456,t=2,p=1$salt$tag', () => {
    const match = phcPattern.exec(stored);
    assert.ok(match !== null, stored);
    assert.equal(Buffer.from(match[1] ?? '', 'base64').length, 16, 'a 128-bit salt');
    assert.equal(Buffer.from(match[2] ?? '', 'base64').length, 32, 'a 256-bit tag');
    assert.ok(!match[1]?.includes('=') && !match[2]?.includes('='), 'base64 without padding');
    assert.ok(!stored.includes(password));
  });

  it('uses a unique salt per hash, so one password hashes differently twice', async () => {
    const again = await hasher.hash(password);
    assert.notEqual(again, stored);
    assert.notEqual(phcPattern.exec(again)?.[1], phcPattern.exec(stored)?.[1]);
    assert.equal((await hasher.verify(again, password)).matches, true);
  });

  it('verifies the right password, with no rehash needed', async () => {
    assert.deepEqual(await hasher.verify(stored, password), { matches: true, needsRehash: false });
  });

  it('refuses a wrong password', async () => {
    assert.equal((await hasher.verify(stored, 'Correct Horse Battery Stapler')).matches, false);
    assert.equal((await hasher.verify(stored, '')).matches, false);
  });

  it('refuses the password truncated (SEC-4)', async () => {
    assert.equal((await hasher.verify(stored, password.slice(0, -1))).matches, false);
  });

  it('refuses the password with its case flipped (SEC-4)', async () => {
    const flipped = [...password].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    assert.equal(flipped, 'cORRECT hORSE bATTERY sTAPLE');
    assert.equal((await hasher.verify(stored, flipped)).matches, false);
  });

  it('does not truncate long passwords (unlike bcrypt at 72 bytes)', async () => {
    const long = 'x'.repeat(100);
    const longHash = await hasher.hash(long);
    assert.equal((await hasher.verify(longHash, `${'x'.repeat(99)}y`)).matches, false);
  });

  it('asks for a rehash of a hash made under other parameters, and still verifies it', async () => {
    const stronger = createArgon2idHasher({ memoryKiB: 19_456, passes: 3, parallelism: 1 }, systemRandom);
    const old = await stronger.hash(password);
    assert.match(old, /^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    assert.deepEqual(await hasher.verify(old, password), { matches: true, needsRehash: true });
    assert.deepEqual(await hasher.verify(old, 'wrong password entirely'), { matches: false, needsRehash: true });
    // ...and the other way round: the t=3 hasher wants the t=2 hash upgraded.
    assert.equal((await stronger.verify(stored, password)).needsRehash, true);
  });

  it('treats a hash that is not PHC argon2id as no match, without throwing (SEC-98)', async () => {
    const garbage = [
      '',
      'not a hash',
      password,
      '$2b$12$C6UzMDM.H6dfI/f/IKcEeO5Q9Fp7i5Xx3o4M/6a6YpZ2QdQF4Uu1e', // bcrypt
      '$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      '$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      stored.slice(0, 40),
      `${stored}$extra`,
      stored.replace('$argon2id$', () => '$argon2id$$'),
      stored.replace('m=19456', () => 'm=-19456'),
    ];
    for (const bad of garbage) {
      assert.deepEqual(await hasher.verify(bad, password), { matches: false, needsRehash: true }, bad);
    }
  });

  it('refuses the right password against a tampered tag (SEC-98)', async () => {
    // Flip a byte of the decoded tag. (Changing the last base64 character is not enough: for a
    // 32-byte tag its low 2 bits are padding, so 'A' -> 'B' decodes to the very same tag.)
    const match = phcPattern.exec(stored);
    assert.ok(match !== null);
    const tag = Buffer.from(match[2] ?? '', 'base64');
    for (const index of [0, 15, tag.length - 1]) {
      const flipped = Buffer.from(tag);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      const tampered = `${stored.slice(0, stored.lastIndexOf('$') + 1)}${flipped.toString('base64').replace(/=+$/, '')}`;
      assert.notEqual(tampered, stored);
      assert.equal((await hasher.verify(tampered, password)).matches, false, `byte ${index}`);
    }
  });

  it('treats a PHC string with out-of-range parameters (p=0) as no match, without throwing (SEC-98)', async () => {
    const zeroParams = '$argon2id$v=19$m=0,t=0,p=0$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    assert.deepEqual(await hasher.verify(zeroParams, password), { matches: false, needsRehash: true });
  });

  it('treats other out-of-range or undersized PHC fields as no match, without throwing or allocating (SEC-98)', async () => {
    const salt = 'c29tZXNhbHRzb21lc2FsdA';
    const tag = 'aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    const bad = [
      `$argon2id$v=19$m=19456,t=0,p=1$${salt}$${tag}`, // no passes
      `$argon2id$v=19$m=19456,t=2,p=0$${salt}$${tag}`, // no lanes
      `$argon2id$v=19$m=7,t=2,p=1$${salt}$${tag}`, // under 8 KiB per lane
      `$argon2id$v=19$m=99999999,t=2,p=1$${salt}$${tag}`, // ~95 GiB
      `$argon2id$v=19$m=19456,t=9999,p=1$${salt}$${tag}`, // absurd passes
      `$argon2id$v=19$m=19456,t=2,p=999$${salt}$${tag}`, // absurd parallelism
      `$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbA$${tag}`, // 7-byte salt
      `$argon2id$v=19$m=19456,t=2,p=1$${salt}$aGFzaGhhc2hoYXNoaGFz`, // 15-byte tag
    ];
    for (const stored of bad) {
      assert.deepEqual(await hasher.verify(stored, password), { matches: false, needsRehash: true }, stored);
    }
  });

  describe('stored hashes survive the switch from node:crypto to @node-rs/argon2', () => {
    // Made by the node:crypto hasher Gatehouse used before (m=19456,t=2,p=1), for this password.
    const madeByNodeCrypto = '$argon2id$v=19$m=19456,t=2,p=1$7Uv/tEKBQ3/F2Pgtp8rtrw$8TVp+Q3IDnQ6giFs8kKxWyx+5r5mwNtcBHzkkWmVvYo';
    const viaNodeCrypto = createArgon2idHasher(owaspMinimumArgon2id, systemRandom, nodeCryptoArgon2id);

    it('the default hasher is @node-rs/argon2, and both give the same tag for the same input', async () => {
      const salt = Buffer.from('a fixed 16B salt');
      const [rs, crypto] = await Promise.all([nodeRsArgon2id(password, salt, owaspMinimumArgon2id, 32), nodeCryptoArgon2id(password, salt, owaspMinimumArgon2id, 32)]);
      assert.deepEqual(rs, crypto);
      // Other parameters and tag lengths too: the upgrade path verifies hashes made under old ones.
      const older = { memoryKiB: 12_288, passes: 3, parallelism: 2 };
      assert.deepEqual(await nodeRsArgon2id(password, salt, older, 24), await nodeCryptoArgon2id(password, salt, older, 24));
    });

    it('a hash stored by the old node:crypto hasher verifies with the new one', async () => {
      assert.deepEqual(await hasher.verify(madeByNodeCrypto, password), { matches: true, needsRehash: false });
      assert.equal((await hasher.verify(madeByNodeCrypto, 'Correct Horse Battery Stapler')).matches, false);
    });

    it('a hash made by the new hasher verifies with the old one (a rollback keeps every password)', async () => {
      assert.deepEqual(await viaNodeCrypto.verify(stored, password), { matches: true, needsRehash: false });
      assert.equal((await viaNodeCrypto.verify(stored, 'wrong')).matches, false);
      assert.deepEqual(await viaNodeCrypto.verify(madeByNodeCrypto, password), { matches: true, needsRehash: false });
    });
  });
});
