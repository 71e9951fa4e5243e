import type { MailMessage, MailOutbox } from '../core/ports.ts';
import type { MailTransport } from './smtp-transport.ts';

export interface MailQueueOptions {
  transports: readonly MailTransport[];
  /** Told about each failed attempt: the kind and the error, never the mail's content. */
  onFailure: (failure: { kind: MailMessage['kind']; attempt: number; final: boolean; error: unknown }) => void;
  /** Told of each mail a transport took (for the metrics). */
  onDelivered?: (kind: MailMessage['kind']) => void;
  /** Waits between attempts; its length + 1 is the number of attempts. */
  retryDelaysMs?: readonly number[];
}

export interface MailQueueStats {
  pending: number;
  failed: number;
}

export interface MailQueue extends MailOutbox {
  /** Resolves once every mail handed over so far has been delivered or given up on. */
  idle(): Promise<void>;
  /** For the console's dashboard: deliveries under way (per transport), and those given up on since start. */
  stats(): MailQueueStats;
  /** Stops taking mail, waits (at most `timeoutMs`) for what is in flight, closes the transports. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * The mail queue: `enqueue` returns at once and delivery happens afterwards, so a request
 * never waits for SMTP and its answer (and timing) cannot depend on whether a mail was sent.
 * Each transport is tried independently, with retries; pending mails live in memory, so a
 * restart loses them (the person asks again: every mail here is a resendable notice or link).
 */
export function createMailQueue(options: MailQueueOptions): MailQueue {
  const retryDelaysMs = options.retryDelaysMs ?? [2_000, 15_000, 60_000];
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  let failed = 0;

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      // unref: pending retries never keep a stopping process alive.
      setTimeout(resolve, ms).unref();
    });

  async function deliver(transport: MailTransport, message: MailMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.deliver(message);
        options.onDelivered?.(message.kind);
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt - 1];
        options.onFailure({ kind: message.kind, attempt, final: delay === undefined || closed, error });
        if (delay === undefined || closed) {
          failed++;
          return;
        }
        await wait(delay);
      }
    }
  }

  return {
    enqueue(message) {
      if (closed) {
        options.onFailure({ kind: message.kind, attempt: 0, final: true, error: new Error('the mail queue is closed') });
        return;
      }
      for (const transport of options.transports) {
        // setImmediate: delivery starts after the current request has been answered.
        const job = new Promise<void>((resolve) => setImmediate(resolve)).then(() => deliver(transport, message));
        inFlight.add(job);
        void job.finally(() => inFlight.delete(job));
      }
    },
    stats() {
      return { pending: inFlight.size, failed };
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close(timeoutMs = 5_000) {
      closed = true;
      await Promise.race([this.idle(), wait(timeoutMs)]);
      for (const transport of options.transports) transport.close();
    },
  };
}
