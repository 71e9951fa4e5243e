import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDeliveryWorker } from '../../src/delivery/delivery-worker.ts';

const until = async (condition: () => boolean): Promise<void> => {
  // Hang guard only: the loop ends as soon as the condition holds.
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), 'timed out waiting');
};

describe('startDeliveryWorker', () => {
  it('runs a pass at once, again at once while batches are full, then waits to be woken', async () => {
    const claims = [32, 32, 3];
    let passes = 0;
    const worker = startDeliveryWorker({ batchSize: 32, pollIntervalMs: 3_600_000, onError: (error) => assert.fail(String(error)), pass: async () => (passes++, claims.shift() ?? 0) });
    await until(() => passes === 3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(passes, 3, 'an idle worker waits for the poll interval');
    worker.wake();
    await until(() => passes === 4);
    await worker.stop();
  });

  it('keeps going after a failing pass, and runs one pass at a time', async () => {
    let inFlight = 0;
    let most = 0;
    let passes = 0;
    const errors: unknown[] = [];
    const worker = startDeliveryWorker({
      batchSize: 10,
      pollIntervalMs: 1,
      onError: (error) => errors.push(error),
      pass: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        passes++;
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        if (passes === 1) throw new Error('store unreachable');
        return 0;
      },
    });
    for (let i = 0; i < 5; i++) worker.wake();
    await until(() => passes >= 4);
    await worker.stop();
    const after = passes;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(passes, after, 'no pass after stop');
    assert.equal(most, 1);
    assert.equal(errors.length, 1);
  });
});
