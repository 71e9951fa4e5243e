import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Revocation, RevocationStore } from '../../src/core/ports.ts';
import { createRevocationBroadcaster } from '../../src/http/revocation-broadcaster.ts';
import { createMemoryStore } from '../../src/storage/memory/memory-store.ts';

/**
 * With a store that can `watch` (Redis pub/sub in production), the broadcaster reads new entries
 * as soon as it is told, not at its next poll: the poll interval here is an hour, so only the
 * notice can deliver them.
 */
describe('revocation broadcaster with a watchable store', () => {
  it('delivers entries appended elsewhere as soon as the store says so, and stops watching when nobody listens', async () => {
    const memory = createMemoryStore();
    const watchers = new Set<() => void>();
    const store: RevocationStore = {
      ...memory.revocations,
      watch(listener) {
        watchers.add(listener);
        return () => watchers.delete(listener);
      },
    };
    const broadcaster = createRevocationBroadcaster(store, 3_600_000);
    const received: Revocation[][] = [];
    let wake: () => void = () => undefined;
    const unsubscribe = await broadcaster.subscribe((entries) => {
      received.push([...entries]);
      wake();
    });
    assert.equal(watchers.size, 1);

    const delivered = new Promise<void>((resolve) => (wake = resolve));
    await memory.revocations.append({ sid: 's-1', jti: null, expiresAtMs: 2_000_000_000_000, createdAtMs: 1, reason: 'logout' });
    for (const notify of watchers) notify();
    await delivered;
    assert.deepEqual(
      received.flat().map((r) => r.sid),
      ['s-1'],
    );

    unsubscribe();
    assert.equal(watchers.size, 0, 'the broadcaster kept watching with no listener left');
    broadcaster.close();
  });
});
