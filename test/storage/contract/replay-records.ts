import assert from 'node:assert/strict';
import { minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function replayRecordsContract(open: OpenStore): void {
  const test = storeTest(open);

  test('replay records: the first remember is new, every later one seen, until housekeeping deletes the expired', async (store) => {
    assert.equal(await store.replayRecords.remember('dpop:a', t0Ms + minuteMs), 'new');
    assert.equal(await store.replayRecords.remember('dpop:a', t0Ms + 5 * minuteMs), 'seen');
    assert.equal(await store.replayRecords.remember('dpop:b', t0Ms + 2 * minuteMs), 'new');
    assert.equal(await store.transaction((tx) => tx.replayRecords.remember('dpop:b', t0Ms + 2 * minuteMs)), 'seen');
    assert.equal(await store.replayRecords.deleteExpired(t0Ms + minuteMs), 1);
    assert.equal(await store.replayRecords.remember('dpop:a', t0Ms + 3 * minuteMs), 'new');
    assert.equal(await store.replayRecords.remember('dpop:b', t0Ms + 3 * minuteMs), 'seen');
  });

  test('replay records: concurrent remembers of one key, exactly one is new', async (store) => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.replayRecords.remember('assertion:x', t0Ms + minuteMs)));
    assert.equal(outcomes.filter((o) => o === 'new').length, 1);
  });
}
