import type { RevocationStore, Store } from '../../core/ports.ts';
import { overlayStore } from '../../core/lazy-store.ts';
import { createFailoverThrottleStore } from './failover-throttle.ts';
import { connectRedis } from './redis-connection.ts';
import { createRedisThrottleStore } from './redis-throttle.ts';
import { createRedisThrottleCensus } from './redis-throttle-census.ts';
import { createRevocationFanOut } from './revocation-fan-out.ts';

export interface RedisOptions {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
  onStateChange?: (state: 'up' | 'down', error?: Error) => void;
}

/**
 * The database store with Redis for what is shared and short-lived: throttle counters in Redis
 * (the database while Redis is unreachable), and a pub/sub notice after every committed
 * revocation, which `revocations.watch` delivers on every instance. Everything else, and
 * everything durable, stays in the database.
 *
 * @example
 * const store = withRedis(await openStore(config, { migrate: 'on-open' }), { url, keyPrefix: 'gatehouse:', commandTimeoutMs: 500 });
 */
export function withRedis(store: Store, options: RedisOptions): Store {
  const connection = connectRedis({ url: options.url, commandTimeoutMs: options.commandTimeoutMs, ...(options.onStateChange === undefined ? {} : { onStateChange: options.onStateChange }) });
  const fanOut = createRevocationFanOut(connection, options.url, options.keyPrefix);
  const throttle = createFailoverThrottleStore(createRedisThrottleStore(connection.client, options.keyPrefix), store.throttle, connection);
  // The console counts locked accounts where the counters are: Redis, or the database while Redis is down.
  const redisCensus = createRedisThrottleCensus(connection.client, options.keyPrefix);
  const throttleCensus: Store['throttleCensus'] = {
    async counters(query) {
      if (connection.isUp()) {
        try {
          return await redisCensus.counters(query);
        } catch (error) {
          connection.reportFailure(error);
        }
      }
      return store.throttleCensus.counters(query);
    },
  };

  const notifying = (revocations: RevocationStore, appended: () => void): RevocationStore => ({
    ...revocations,
    async append(entry) {
      await revocations.append(entry);
      appended();
    },
    watch: (listener) => fanOut.watch(listener),
  });
  // Inside a transaction the notice waits for the commit: another instance woken earlier would
  // find nothing new, and a rolled-back revocation must not be announced at all.
  const inTransaction = (tx: Store, appended: () => void): Store => {
    const wrapped = overlayStore(tx, { throttle: () => throttle, throttleCensus: () => throttleCensus, revocations: (revocations) => notifying(revocations, appended) }, (work) => work(wrapped));
    return wrapped;
  };
  const served: Store = {
    ...store,
    throttle,
    throttleCensus,
    revocations: notifying(store.revocations, () => fanOut.publish()),
    async transaction(work) {
      let appended = false;
      const result = await store.transaction((tx) => work(inTransaction(tx, () => (appended = true))));
      if (appended) fanOut.publish();
      return result;
    },
    describe: () => ({ ...store.describe?.(), redis: connection.isUp() ? 'connected' : 'unreachable (rate limits on the database)' }),
    async close() {
      await Promise.all([fanOut.close(), connection.close()]);
      await store.close();
    },
  };
  return served;
}
