import { setTimeout as sleep } from 'node:timers/promises';
import { GatehouseTokenError } from '../errors.ts';
import type { ServerSentEvent } from './event-stream.ts';
import { RevocationFeedError } from './revocation-feed-error.ts';
import { parseReadyEvent, parseRevocationEvent } from './revocation-feed-messages.ts';
import type { ResolvedRevocationFeedOptions, RevocationFeedEntry } from './revocation-feed-options.ts';
import type { RevocationEntry } from './revocation-list.ts';
import { readRevocationStream } from './revocation-stream.ts';

const initialBackoffMs = 250;
const maxBackoffMs = 5_000;

/**
 * @internal Follows the revocation feed for one verifier: connects, applies each revocation through
 * `revoke`, reconnects after a break, and says whether the verifier may decide (`current`).
 *
 * `current` is the fail-closed switch. It turns true only on a sign that everything revoked up to
 * a moment ago has been applied: the `ready` event that ends a catch-up, or, on a connection that
 * has caught up, any later event or heartbeat (the server sends in order, so anything after the
 * catch-up vouches for all before it). It turns false `maxStalenessMs` after the last such sign,
 * or as soon as a connection has been silent that long. A break alone does not turn it false: a
 * reconnect within `maxStalenessMs` catches up on what was missed (`Last-Event-ID`), and until then
 * the verifier is at most `maxStalenessMs` behind, which is the promise.
 *
 * Timers are monotonic (unlike the injected wall clock, which only dates revocations), and those
 * that only watch for staleness do not keep the process alive.
 */
export class RevocationFeed {
  readonly #options: ResolvedRevocationFeedOptions;
  readonly #revoke: (entry: RevocationEntry) => void;
  readonly #stopped = new AbortController();
  readonly #ready: Promise<void>;
  #resolveReady: () => void = () => undefined;
  #rejectReady: (error: unknown) => void = () => undefined;
  /** Settles at the first catch-up, a failed authentication, `startupTimeoutMs` after start, or close(). */
  readonly startup: Promise<void>;
  #endStartup: () => void = () => undefined;
  readonly #startupTimer: ReturnType<typeof setTimeout>;
  #stalenessTimer: ReturnType<typeof setTimeout> | undefined;
  /** The highest `seq` applied: the next connection asks for what comes after it. */
  #afterSeq = 0;
  #caughtUpOnce = false;
  #current = false;
  #lastError: RevocationFeedError | undefined;
  #failedAttempts = 0;

  constructor(options: ResolvedRevocationFeedOptions, revoke: (entry: RevocationEntry) => void) {
    this.#options = options;
    this.#revoke = revoke;
    this.#ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Closing before the catch-up rejects ready(); nobody has to have asked for it.
    this.#ready.catch(() => undefined);
    this.startup = new Promise((resolve) => {
      this.#endStartup = resolve;
    });
    // Bounded (default 5 s): an unreachable feed fails the first requests closed, soon (SEC-114).
    this.#startupTimer = setTimeout(this.#endStartup, options.startupTimeoutMs);
    void this.#run();
  }

  /** Caught up, with a sign of it within `maxStalenessMs`: tokens may be accepted. */
  get current(): boolean {
    return this.#current;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  /** The error `verify()` throws while the feed is not current, with the reason as its cause. */
  unavailable(): GatehouseTokenError {
    const { maxStalenessMs } = this.#options;
    const cause =
      this.#lastError ??
      new RevocationFeedError('stale', this.#caughtUpOnce ? `no sign that the feed is current for ${maxStalenessMs} ms` : 'the feed has not caught up yet');
    return new GatehouseTokenError('verifier_unavailable', { cause });
  }

  close(): void {
    if (this.#stopped.signal.aborted) return;
    this.#stopped.abort();
    this.#current = false;
    clearTimeout(this.#startupTimer);
    clearTimeout(this.#stalenessTimer);
    this.#endStartup();
    this.#rejectReady(new GatehouseTokenError('verifier_unavailable', { cause: new Error('the verifier was closed before the revocation feed caught up') }));
  }

  async #run(): Promise<void> {
    const stopped = this.#stopped.signal;
    while (!stopped.aborted) {
      const error = await this.#connect();
      if (stopped.aborted) return;
      this.#fail(error);
      try {
        await sleep(this.#nextBackoffMs(), undefined, { signal: stopped });
      } catch {
        return; // closed while waiting
      }
    }
  }

  /** One connection, from request to its end; returns why it ended. */
  async #connect(): Promise<RevocationFeedError> {
    const { url, authorization, maxStalenessMs } = this.#options;
    const connection = new AbortController();
    const stop = (): void => connection.abort(this.#stopped.signal.reason);
    this.#stopped.signal.addEventListener('abort', stop, { once: true });
    // A connection that goes silent (a half-open TCP connection, a stuck proxy) would otherwise
    // wait forever: no data, not even a heartbeat, for maxStalenessMs, and it is dropped.
    const idle = setTimeout(() => {
      this.#turnStale();
      connection.abort(new RevocationFeedError('idle_timeout', `nothing received for ${maxStalenessMs} ms`));
    }, maxStalenessMs);
    idle.unref();
    let caughtUp = false;
    const onEvent = (event: ServerSentEvent): void => {
      if (event.type === 'revocation') {
        const entry = parseRevocationEvent(event.data);
        this.#revoke(entry);
        if (entry.seq > this.#afterSeq) this.#afterSeq = entry.seq;
        if (caughtUp) this.#healthy();
        this.#notify(entry);
      } else if (event.type === 'ready') {
        // `latest` is read but the position is not moved to it: a revocation committed while the
        // server was building the catch-up may be numbered <= latest yet still be on its way as a
        // live event; jumping ahead would skip it after a reconnect.
        parseReadyEvent(event.data);
        caughtUp = true;
        this.#failedAttempts = 0;
        this.#healthy();
        this.#caughtUp();
      } else if (caughtUp) {
        this.#healthy(); // an event type this SDK does not know yet: ignored, but a sign of life
      }
    };
    try {
      await readRevocationStream(
        { url, authorization, afterSeq: this.#afterSeq, signal: connection.signal },
        {
          onActivity: () => {
            if (!connection.signal.aborted) idle.refresh();
          },
          onEvent,
          onComment: () => {
            if (caughtUp) this.#healthy();
          },
        },
      );
      return new RevocationFeedError('stream_ended', 'the server ended the stream');
    } catch (error) {
      return error instanceof RevocationFeedError ? error : new RevocationFeedError('network_error', 'the connection failed', { cause: error });
    } finally {
      clearTimeout(idle);
      this.#stopped.signal.removeEventListener('abort', stop);
      connection.abort(); // releases the socket, whatever ended the connection
    }
  }

  #healthy(): void {
    if (this.#stopped.signal.aborted) return;
    this.#current = true;
    this.#lastError = undefined;
    if (this.#stalenessTimer === undefined) {
      this.#stalenessTimer = setTimeout(() => this.#turnStale(), this.#options.maxStalenessMs);
      this.#stalenessTimer.unref();
    } else {
      this.#stalenessTimer.refresh();
    }
  }

  #turnStale(): void {
    if (!this.#current) return;
    this.#current = false;
    const message = `no sign that the feed is current for ${this.#options.maxStalenessMs} ms: tokens are refused until it catches up`;
    this.#report(new RevocationFeedError('stale', message, { cause: this.#lastError }));
  }

  #caughtUp(): void {
    if (this.#caughtUpOnce) return;
    this.#caughtUpOnce = true;
    clearTimeout(this.#startupTimer);
    this.#endStartup();
    this.#resolveReady();
  }

  #fail(error: RevocationFeedError): void {
    this.#lastError = error;
    this.#report(error);
    // Wrong credentials will not fix themselves within the startup wait: verify() says so at once
    // (reconnecting goes on, in case they are being rotated).
    if (error.reason === 'authentication_failed') this.#endStartup();
  }

  #nextBackoffMs(): number {
    const ceilingMs = Math.min(initialBackoffMs * 2 ** Math.min(this.#failedAttempts, 5), maxBackoffMs);
    this.#failedAttempts += 1;
    // Drawn from [ceiling / 2, ceiling]: verifiers cut off together by a server restart do not all
    // come back in the same millisecond.
    return ceilingMs / 2 + Math.random() * (ceilingMs / 2);
  }

  #notify(entry: RevocationFeedEntry): void {
    try {
      this.#options.onRevocation?.(entry);
    } catch (error) {
      this.#report(new RevocationFeedError('callback_failed', 'onRevocation threw', { cause: error }));
    }
  }

  #report(error: RevocationFeedError): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A logger that throws has nowhere to report to; the feed must go on regardless.
    }
  }
}
