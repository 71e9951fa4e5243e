import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemRandom } from '../../src/core/clock.ts';
import { timeOrderedId } from '../../src/core/time-ordered-id.ts';
import { randomId } from '../../src/core/sessions/session-token.ts';

test('a time-ordered id has the shape of randomId, starts with its time and ends in 80 random bits', () => {
  const nowMs = 1_767_225_600_000;
  const id = timeOrderedId(nowMs, systemRandom);
  assert.match(id, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(id.length, randomId(systemRandom).length);
  const bytes = Buffer.from(id, 'base64url');
  assert.equal(bytes.readUIntBE(0, 6), nowMs);
  const others = new Set(Array.from({ length: 1000 }, () => timeOrderedId(nowMs, systemRandom)));
  assert.equal(others.size, 1000, 'the same millisecond still gives distinct ids');
});

test('ids made within the same seconds share their first characters (an index takes them side by side)', () => {
  const nowMs = 1_767_225_600_000;
  const a = timeOrderedId(nowMs, systemRandom);
  const b = timeOrderedId(nowMs + 900, systemRandom);
  assert.equal(a.slice(0, 5), b.slice(0, 5));
});
