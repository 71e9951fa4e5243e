import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pooledRandom, systemRandom } from '../../src/core/clock.ts';

/** A fill that writes 1, 2, 3, ... across calls (never 0), and keeps the arrays it filled. */
function countingFill() {
  let next = 0;
  const filled: Uint8Array[] = [];
  const fill = (bytes: Uint8Array): Uint8Array => {
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (next++ % 255) + 1;
    filled.push(bytes);
    return bytes;
  };
  return { fill, filled };
}

test('the pooled CSPRNG hands out each byte once: consecutive draws never overlap, and a drawn byte is zeroed in the pool', () => {
  const { fill, filled } = countingFill();
  const random = pooledRandom(fill);
  const a = random.bytes(10);
  const b = random.bytes(16);
  assert.deepEqual([...a], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual([...b], Array.from({ length: 16 }, (_, i) => i + 11));
  const pool = filled[0] as Uint8Array;
  assert.ok(pool.subarray(0, 26).every((byte) => byte === 0), 'the pool keeps no copy of what it handed out');
  a.fill(99);
  assert.deepEqual([...random.bytes(2)], [27, 28], 'a draw is a copy: changing it changes nothing else');
});

test('the pool is refilled from the CSPRNG when a draw does not fit, and long draws are filled directly', () => {
  const { fill, filled } = countingFill();
  const random = pooledRandom(fill);
  for (let i = 0; i < 4096 / 32; i += 1) random.bytes(32);
  assert.equal(filled.length, 1);
  const next = random.bytes(32);
  assert.equal(filled.length, 2, 'the 4 KB pool was used up: refilled once');
  assert.notDeepEqual([...next], Array.from({ length: 32 }, () => 0));
  const long = random.bytes(2048);
  assert.equal(long.length, 2048);
  assert.equal(filled.length, 3);
  assert.equal(filled[2], long, 'a long draw is its own array, filled directly');
});

test('the system CSPRNG gives distinct values of the asked length', () => {
  const seen = new Set(Array.from({ length: 2000 }, () => Buffer.from(systemRandom.bytes(16)).toString('hex')));
  assert.equal(seen.size, 2000);
  assert.equal(systemRandom.bytes(0).length, 0);
  assert.equal(systemRandom.bytes(5000).length, 5000);
});
