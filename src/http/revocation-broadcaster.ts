import type { Revocation, RevocationStore } from '../core/ports.ts';

export type RevocationListener = (entries: readonly Revocation[]) => void;

/**
 * One poller per process for every open feed connection: while anyone listens, it reads the
 * entries after the last seq it saw every `intervalMs`, and at once when the store's `watch`
 * says there is something new (Redis pub/sub), and hands them to each listener. Polling
 * the database (not an in-process event) means revocations written by another process (the
 * CLI, another instance on the same database) reach this instance's listeners too.
 */
export function createRevocationBroadcaster(store: RevocationStore, intervalMs = 200) {
  const listeners = new Set<RevocationListener>();
  let lastSeq = 0;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;
  let again = false;
  let unwatch: (() => void) | null = null;

  const poll = async (): Promise<void> => {
    if (polling) {
      // A notice during a read: read once more afterwards, so nothing waits for the next tick.
      again = true;
      return;
    }
    polling = true;
    try {
      again = false;
      for (;;) {
        const entries = await store.listAfter(lastSeq, 500);
        if (entries.length === 0) {
          if (!again) break;
          again = false;
          continue;
        }
        lastSeq = entries.at(-1)?.seq ?? lastSeq;
        for (const listener of listeners) listener(entries);
      }
    } catch {
      // The database is unreachable for now: listeners keep their position, the next tick retries.
    } finally {
      polling = false;
    }
  };

  return {
    /** Starts following from the current end of the log (callers replay older entries themselves). */
    async subscribe(listener: RevocationListener): Promise<() => void> {
      if (timer === null) {
        lastSeq = await store.latestSeq();
        timer = setInterval(() => void poll(), intervalMs);
        timer.unref();
        // With Redis, every instance hears of a revocation at once (the poll stays as a fallback).
        unwatch = store.watch?.(() => void poll()) ?? null;
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          clearInterval(timer);
          timer = null;
          unwatch?.();
          unwatch = null;
        }
      };
    },
    /** Open streams (for the metrics). */
    listenerCount: (): number => listeners.size,
    /** The seq this broadcaster has delivered up to. */
    position: (): number => lastSeq,
    close(): void {
      listeners.clear();
      if (timer !== null) clearInterval(timer);
      timer = null;
      unwatch?.();
      unwatch = null;
    },
  };
}

export type RevocationBroadcaster = ReturnType<typeof createRevocationBroadcaster>;
