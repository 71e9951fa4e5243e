import type { Clock, Random, Store } from '../ports.ts';

/** What the webhook operations need: the store, time, randomness and the keys of the signing secrets. */
export interface WebhookDeps {
  store: Store;
  clock: Clock;
  random: Random;
  /** Derived from GATEHOUSE_SECRET (src/main.ts `webhookKeys`): the first seals, all open. */
  webhookKeys: readonly Uint8Array[];
}
