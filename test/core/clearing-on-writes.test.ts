import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clearingOnWrites } from '../../src/core/clearing-on-writes.ts';

describe('clearingOnWrites', () => {
  it('clears before and after every method not named a read, even one that throws, and never for a read', async () => {
    const calls: string[] = [];
    const repository = {
      async find(id: string) {
        calls.push(`find ${id}`);
        return id;
      },
      async save(id: string) {
        calls.push(`save ${id}`);
      },
      async fail() {
        calls.push('fail');
        throw new Error('refused');
      },
    };
    const wrapped = clearingOnWrites(repository, new Set(['find']), () => calls.push('clear'));
    assert.equal(await wrapped.find('a'), 'a');
    await wrapped.save('b');
    await assert.rejects(wrapped.fail(), /refused/);
    assert.deepEqual(calls, ['find a', 'clear', 'save b', 'clear', 'clear', 'fail', 'clear']);
  });
});
