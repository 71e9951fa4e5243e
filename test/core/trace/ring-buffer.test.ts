import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRingBuffer } from '../../../src/core/trace/ring-buffer.ts';

test('keeps the newest items up to its capacity, newest first', () => {
  const buffer = createRingBuffer<number>(3);
  assert.deepEqual(buffer.newestFirst(10), []);
  for (let i = 1; i <= 7; i += 1) buffer.push(i);
  assert.equal(buffer.size, 3);
  assert.deepEqual(buffer.newestFirst(10), [7, 6, 5]);
  assert.deepEqual(buffer.newestFirst(2), [7, 6]);
});

test('refuses a capacity below 1', () => {
  assert.throws(() => createRingBuffer(0), RangeError);
});
