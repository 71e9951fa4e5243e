/**
 * A fixed-size buffer that keeps the newest `capacity` items and forgets the oldest: the
 * inspector's memory stays bounded however long the server runs.
 *
 * @example
 * const buffer = createRingBuffer<number>(2);
 * buffer.push(1); buffer.push(2); buffer.push(3);
 * buffer.newestFirst(10); // [3, 2]
 */
export interface RingBuffer<T> {
  push(item: T): void;
  /** Up to `limit` items, the newest first. */
  newestFirst(limit: number): T[];
  readonly size: number;
}

export function createRingBuffer<T>(capacity: number): RingBuffer<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a ring buffer needs a capacity of at least 1, got ${String(capacity)}`);
  const items: (T | undefined)[] = new Array<T | undefined>(capacity);
  let next = 0;
  let size = 0;
  return {
    push(item) {
      items[next] = item;
      next = (next + 1) % capacity;
      if (size < capacity) size += 1;
    },
    newestFirst(limit) {
      const out: T[] = [];
      for (let i = 1; i <= Math.min(limit, size); i += 1) out.push(items[(next - i + capacity) % capacity] as T);
      return out;
    },
    get size() {
      return size;
    },
  };
}
