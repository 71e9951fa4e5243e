/** Runs the outbox: `deliverDue` passes on a timer, one at a time, until stopped. */
export interface DeliveryWorker {
  /** Runs a pass soon (after an enqueue, say) instead of at the next poll. */
  wake(): void;
  /** Stops polling and waits for the pass in flight; what it did not finish stays pending in the store. */
  stop(): Promise<void>;
}

export interface DeliveryWorkerOptions {
  /** One pass (core/delivery/deliver-due.ts); returns how many deliveries it claimed. */
  pass: () => Promise<number>;
  /** The batch size: a pass that claimed this many runs again at once. */
  batchSize: number;
  pollIntervalMs: number;
  onError: (error: unknown) => void;
}

/**
 * The delivery worker started by src/main.ts. Every instance runs one: the store's claim is a
 * compare-and-set with a lease, so several instances share the work without sending a
 * delivery twice at once, and a `kill -9` leaves the rows pending for the next start.
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const schedule = (delayMs: number): void => {
    if (stopped || timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      run();
    }, delayMs);
    // Never keeps a stopping process alive.
    timer.unref();
  };

  const run = (): void => {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = (async () => {
      let claimed = 0;
      try {
        claimed = await options.pass();
      } catch (error) {
        options.onError(error);
      }
      running = null;
      const full = claimed >= options.batchSize;
      if (full || again) {
        again = false;
        setImmediate(run);
      } else schedule(options.pollIntervalMs);
    })();
  };

  schedule(0);
  return {
    wake() {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      run();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
