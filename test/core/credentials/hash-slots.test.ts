import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { owaspMinimumArgon2id, type Argon2idKdf, createArgon2idHasher, nodeRsArgon2id } from '../../../src/core/credentials/argon2id.ts';
import { withHashSlots } from '../../../src/core/credentials/hash-slots.ts';
import { systemRandom } from '../../../src/core/clock.ts';

/** A kdf that finishes when told to, recording how many ran at once. */
function gatedKdf(): { kdf: Argon2idKdf; started: string[]; finish: () => void; maxAtOnce: () => number } {
  let running = 0;
  let max = 0;
  const gates: Array<() => void> = [];
  const started: string[] = [];
  const kdf: Argon2idKdf = async (password) => {
    running++;
    max = Math.max(max, running);
    started.push(password);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
    if (password === 'fails') throw new Error('kdf failed');
    return Buffer.from(password);
  };
  return { kdf, started, finish: () => gates.shift()?.(), maxAtOnce: () => max };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('withHashSlots', () => {
  it('runs at most `slots` at once, the rest in arrival order, and a failure frees its slot', async () => {
    const gated = gatedKdf();
    const limited = withHashSlots(gated.kdf, 2);
    const salt = new Uint8Array(16);
    const passwords = ['a', 'fails', 'c', 'd', 'e'];
    const results = passwords.map((p) => limited(p, salt, owaspMinimumArgon2id, 32).then((tag) => tag.toString(), (error: Error) => error.message));
    await tick();
    assert.deepEqual(gated.started, ['a', 'fails'], 'two run, three wait');
    gated.finish();
    await tick();
    assert.deepEqual(gated.started, ['a', 'fails', 'c'], 'a finished: the first waiting one starts');
    for (let i = 1; i < passwords.length; i++) {
      gated.finish();
      await tick();
    }
    assert.deepEqual(await Promise.all(results), ['a', 'kdf failed', 'c', 'd', 'e']);
    assert.deepEqual(gated.started, passwords, 'first come, first served');
    assert.equal(gated.maxAtOnce(), 2);
  });

  it('refuses a slot count that is not a positive integer', () => {
    for (const slots of [0, -1, 1.5, Number.NaN]) assert.throws(() => withHashSlots(nodeRsArgon2id, slots), RangeError);
  });

  it('a hasher with one slot still hashes and verifies concurrent requests correctly', async () => {
    const hasher = createArgon2idHasher({ memoryKiB: 64, passes: 1, parallelism: 1 }, systemRandom, withHashSlots(nodeRsArgon2id, 1));
    const stored = await Promise.all(['one', 'two', 'three'].map((p) => hasher.hash(p)));
    const checks = await Promise.all(stored.map((h, i) => hasher.verify(h, ['one', 'two', 'three'][i]!)));
    assert.ok(checks.every((c) => c.matches));
    assert.equal((await hasher.verify(stored[0]!, 'two')).matches, false);
  });
});
