import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock, systemRandom } from '../../src/core/clock.ts';

test('systemClock reads the wall clock', () => {
  const before = Date.now();
  const now = systemClock.nowMs();
  assert.ok(now >= before && now <= Date.now());
});

test('systemRandom gives exactly the bytes asked for, each call its own copy (pooled and direct sizes)', () => {
  for (const length of [0, 1, 16, 32, 255, 256, 257, 5000, 9000]) {
    const bytes = systemRandom.bytes(length);
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(bytes.length, length);
    // A copy, not a view into a shared pool: nothing else can change it.
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, length);
  }
});

test('systemRandom never hands out the same bytes twice, across pool refills', () => {
  const seen = new Set<string>();
  // 20,000 x 16 bytes spans about 40 pool blocks; any reuse of a slice would repeat a value.
  for (let i = 0; i < 20_000; i++) {
    const value = Buffer.from(systemRandom.bytes(i % 7 === 0 ? 31 : 16)).toString('hex');
    assert.equal(seen.has(value), false, 'a random value came out twice');
    seen.add(value);
  }
  const first = systemRandom.bytes(32);
  const copy = Uint8Array.from(first);
  systemRandom.bytes(8192);
  for (let i = 0; i < 600; i++) systemRandom.bytes(32);
  assert.deepEqual(first, copy, 'a later draw changed bytes already handed out');
});

test('systemRandom output looks uniform (every byte value appears, none dominates)', () => {
  const counts = new Array<number>(256).fill(0);
  for (let i = 0; i < 2000; i++) for (const byte of systemRandom.bytes(32)) counts[byte] = (counts[byte] ?? 0) + 1;
  // 64,000 bytes: 250 expected per value; a stuck or zeroed pool would fail this by far.
  assert.ok(Math.min(...counts) > 150 && Math.max(...counts) < 370, `byte counts ${String(Math.min(...counts))}..${String(Math.max(...counts))}`);
});
