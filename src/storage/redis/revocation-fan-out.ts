import { Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection.ts';

export interface RevocationFanOut {
  /** Tells every instance (this one too) that revocation entries were committed. Never throws. */
  publish(): void;
  /** Calls `listener` whenever any instance published; returns the unsubscribe. */
  watch(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Revocation fan-out over Redis pub/sub. The message carries no data: it only wakes each
 * instance's feed broadcaster, which reads the new entries from the database (the one source of
 * truth, in commit order). A lost message (Redis down) costs latency, not correctness: the
 * broadcaster still polls the database.
 *
 * @example
 * const fanOut = createRevocationFanOut(connection, 'redis://127.0.0.1:6379', 'gatehouse:');
 */
export function createRevocationFanOut(publisher: RedisConnection, url: string, prefix: string): RevocationFanOut {
  const channel = `${prefix}revocations`;
  const listeners = new Set<() => void>();
  // A subscribed connection can do nothing else, so it is a second one. It queues its SUBSCRIBE
  // until connected and subscribes again after every reconnect.
  const subscriber = new Redis(url, { retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000), maxRetriesPerRequest: null });
  subscriber.on('error', () => undefined); // the publisher's connection reports outages
  subscriber.on('message', (from: string) => {
    if (from !== channel) return;
    for (const listener of listeners) listener();
  });
  void subscriber.subscribe(channel).catch(() => undefined);
  return {
    publish() {
      if (!publisher.isUp()) return;
      publisher.client.publish(channel, '').catch((error: unknown) => publisher.reportFailure(error));
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      subscriber.disconnect();
    },
  };
}
