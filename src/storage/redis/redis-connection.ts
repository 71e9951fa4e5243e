import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  url: string;
  /** A command unanswered this long fails (and the caller falls back to the database). */
  commandTimeoutMs: number;
  /** Told when the connection goes down or comes back, once per change: for the logs. */
  onStateChange?: (state: 'up' | 'down', error?: Error) => void;
}

/** Redis as the rest of Gatehouse sees it: a client, whether it is usable right now, and failure reports. */
export interface RedisConnection {
  client: Redis;
  /** True while connected; false during an outage or for a moment after a command failed. */
  isUp(): boolean;
  /** A command failed (timeout, connection lost): stop sending for a moment and say so once. */
  reportFailure(error: unknown): void;
  close(): Promise<void>;
}

/** After a failed command, Redis is skipped this long before the next try (a hung server costs one timeout per second, not one per request). */
const cooldownMs = 1000;

/**
 * Opens a Redis connection that never queues commands while disconnected (they fail at once,
 * so requests fall back to the database instead of waiting) and reconnects by itself forever,
 * with a growing pause up to 2 s.
 *
 * @example
 * const redis = connectRedis({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: 500 });
 */
export function connectRedis(options: RedisConnectionOptions): RedisConnection {
  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
    lazyConnect: false,
  });
  let state: 'up' | 'down' | 'starting' = 'starting';
  let skipUntilMs = 0;
  const change = (next: 'up' | 'down', error?: Error): void => {
    if (state === next) return;
    // The first connection is not news; losing it (or never getting it) is.
    const wasStarting = state === 'starting';
    state = next;
    if (!(wasStarting && next === 'up')) options.onStateChange?.(next, error);
  };
  client.on('ready', () => {
    skipUntilMs = 0;
    change('up');
  });
  // ioredis emits 'error' on every failed reconnect attempt; without a listener it would crash.
  client.on('error', (error: Error) => change('down', error));
  client.on('end', () => change('down'));
  client.on('close', () => {
    if (state === 'up') change('down');
  });
  return {
    client,
    isUp() {
      const up = client.status === 'ready' && Date.now() >= skipUntilMs;
      // After a timed-out command the connection may never have dropped (no new 'ready' event):
      // the first call past the pause that finds it ready again says it is back.
      if (up && state === 'down') change('up');
      return up;
    },
    reportFailure(error) {
      skipUntilMs = Date.now() + cooldownMs;
      change('down', error instanceof Error ? error : new Error(String(error)));
    },
    async close() {
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      client.disconnect();
    },
  };
}
