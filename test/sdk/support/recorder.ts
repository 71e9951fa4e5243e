/** Collects what a callback receives; waitFor() resolves on the first match, past or future. */
export class Recorder<T> {
  readonly items: T[] = [];
  #waiters: { predicate: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  readonly push = (item: T): void => {
    this.items.push(item);
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.predicate(item)) waiter.resolve(item);
      else this.#waiters.push(waiter);
    }
  };

  waitFor(predicate: (item: T) => boolean): Promise<T> {
    const found = this.items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ predicate, resolve }));
  }
}
