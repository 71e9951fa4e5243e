import { createSecretKey, type KeyObject } from 'node:crypto';

// createHmac with raw key bytes builds a key object on every call (~12-25 us here); with a
// KeyObject made once per key it costs ~4 us. Same key, same HMAC. Keys are the long-lived
// Uint8Arrays of CoreDeps (built once at start-up), so a WeakMap keeps one KeyObject each.
const keyObjects = new WeakMap<Uint8Array, KeyObject>();

/**
 * The KeyObject of an HMAC key, made on first use and kept while the key is.
 *
 * @example
 * createHmac('sha256', hmacKey(deps.accountSecurity.limiterKey)).update(value).digest();
 */
export function hmacKey(bytes: Uint8Array): KeyObject {
  let key = keyObjects.get(bytes);
  if (key === undefined) {
    key = createSecretKey(bytes);
    keyObjects.set(bytes, key);
  }
  return key;
}
