import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A STAND-IN for Gatehouse's revocation feed endpoint, `GET {issuer}/v1/revocations`, which is
 * being built on the server side at the same time as the SDK. It is a real node:http server on
 * 127.0.0.1 that implements the contract the SDK is written against, so the SDK is tested over
 * real sockets and real `fetch`; once the server's endpoint exists, the SDK must also be run
 * against it (test/sdk/revocation/revocation-feed.test.ts says the same). The contract:
 *
 * - HTTP Basic client credentials, each of client_id and client_secret
 *   application/x-www-form-urlencoded before joining with ':' (RFC 6749 2.3.1); wrong or missing:
 *   401 with `WWW-Authenticate: Basic`.
 * - `Accept: application/json`: 200 `{ "revocations": [entries with seq > since, ascending],
 *   "latest": highest seq that exists, 0 if none }`.
 * - `Accept: text/event-stream`: 200 `text/event-stream`; every entry with seq > `Last-Event-ID`
 *   (when sent) or else > `since`, ascending, each as `id: <seq>\nevent: revocation\ndata: <json>\n\n`;
 *   then `event: ready\ndata: {"latest":<seq>}\n\n`; then live entries as they happen, in the same
 *   format; a `: ping` comment line every 15 s (here: `pingIntervalMs`).
 * - An entry: `{ "seq": n >= 1, "sid"?: string, "jti"?: string, "expiresAtMs": number }`.
 *
 * Knobs for the tests: stall() (stop answering, hold new requests), dropStreams(), respondWith().
 */

export interface FeedRequest {
  readonly path: string;
  readonly since: string | null;
  readonly lastEventId: string | undefined;
  readonly accept: string | undefined;
  /** Whether the Basic credentials matched. */
  readonly authenticated: boolean;
}

export interface FakeRevocationFeedOptions {
  clientId: string;
  clientSecret: string;
  /** Default 15,000, as the real server. */
  pingIntervalMs?: number;
}

interface Stream {
  readonly response: ServerResponse;
  readonly ping: ReturnType<typeof setInterval>;
  /** Stalled: the server has stopped answering on it (no pings, no live events). */
  silent: boolean;
}

/** An entry as logged: `seq` plus whatever the test revoked (malformed on purpose, sometimes). */
export type LoggedRevocation = { seq: number } & Record<string, unknown>;

export class FakeRevocationFeed {
  readonly origin: string;
  readonly url: string;
  readonly requests: FeedRequest[] = [];
  readonly log: LoggedRevocation[] = [];
  pingsSent = 0;
  readySent = 0;
  readonly #server: Server;
  readonly #options: Required<FakeRevocationFeedOptions>;
  readonly #streams = new Set<Stream>();
  #held: (() => void)[] = [];
  #stalled = false;
  #override: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  #waiters: { condition: () => boolean; resolve: () => void }[] = [];

  private constructor(server: Server, options: FakeRevocationFeedOptions) {
    this.#server = server;
    this.#options = { pingIntervalMs: 15_000, ...options };
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.url = `${this.origin}/v1/revocations`;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.#handle(request, response));
  }

  static async start(options: FakeRevocationFeedOptions): Promise<FakeRevocationFeed> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeRevocationFeed(server, options);
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  /** Appends an entry (numbered next) and sends it to every open, answering stream. */
  revoke(entry: Record<string, unknown>): { seq: number; deliveredLive: number } {
    const logged: LoggedRevocation = { seq: this.log.length + 1, ...entry };
    this.log.push(logged);
    const deliveredLive = this.sendRaw(revocationEvent(logged));
    this.#changed();
    return { seq: logged.seq, deliveredLive };
  }

  /** Writes `text` as is to every open, answering stream; returns how many. */
  sendRaw(text: string): number {
    let count = 0;
    for (const stream of this.#streams) {
      if (stream.silent) continue;
      stream.response.write(text);
      count += 1;
    }
    return count;
  }

  /** Breaks every open stream: abruptly (`destroy`, a reset) or by ending the response (`end`). */
  dropStreams(how: 'destroy' | 'end' = 'destroy'): void {
    for (const stream of this.#streams) {
      this.#forget(stream);
      if (how === 'end') stream.response.end();
      else stream.response.socket?.destroy();
    }
  }

  /** Stops answering: open streams go silent (connections stay open), new requests get no answer. */
  stall(): void {
    this.#stalled = true;
    for (const stream of this.#streams) stream.silent = true;
  }

  /** Answers again, starting with the requests held while stalled (silent streams stay silent). */
  resume(): void {
    this.#stalled = false;
    const held = this.#held;
    this.#held = [];
    for (const serve of held) serve();
  }

  /** Answers every later request with `handler` instead (undefined: back to the contract). */
  respondWith(handler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined): void {
    this.#override = handler;
  }

  /** Resolves once `condition()` holds; checked on every request, event, ping and closed stream. */
  waitFor(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ condition, resolve }));
  }

  async close(): Promise<void> {
    for (const stream of this.#streams) this.#forget(stream);
    this.#held = [];
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.origin);
    const lastEventId = request.headers['last-event-id'];
    const accept = request.headers.accept;
    const authenticated = this.#authenticated(request.headers.authorization);
    this.requests.push({ path: url.pathname, since: url.searchParams.get('since'), lastEventId: typeof lastEventId === 'string' ? lastEventId : undefined, accept, authenticated });
    this.#changed();
    if (this.#override !== undefined) return this.#override(request, response);
    if (url.pathname !== '/v1/revocations' || request.method !== 'GET') return void response.writeHead(404).end();
    if (!authenticated) return void response.writeHead(401, { 'www-authenticate': 'Basic realm="gatehouse"', 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
    const after = cursor(typeof lastEventId === 'string' ? lastEventId : (url.searchParams.get('since') ?? '0'));
    if (after === undefined) return void response.writeHead(400).end();
    const serve = (): void => {
      if (accept?.includes('text/event-stream')) this.#stream(response, after);
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ revocations: this.#after(after), latest: this.log.length }));
    };
    if (this.#stalled) this.#held.push(serve);
    else serve();
  }

  #stream(response: ServerResponse, after: number): void {
    if (response.socket === null || response.socket.destroyed) return; // held, and the client has given up
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' });
    for (const entry of this.#after(after)) response.write(revocationEvent(entry));
    response.write(`event: ready\ndata: ${JSON.stringify({ latest: this.log.length })}\n\n`);
    this.readySent += 1;
    const stream: Stream = {
      response,
      silent: false,
      ping: setInterval(() => {
        if (stream.silent) return;
        response.write(': ping\n');
        this.pingsSent += 1;
        this.#changed();
      }, this.#options.pingIntervalMs),
    };
    this.#streams.add(stream);
    response.on('close', () => this.#forget(stream));
    this.#changed();
  }

  #after(seq: number): LoggedRevocation[] {
    return this.log.filter((entry) => entry.seq > seq);
  }

  #forget(stream: Stream): void {
    clearInterval(stream.ping);
    if (this.#streams.delete(stream)) this.#changed();
  }

  #authenticated(authorization: string | undefined): boolean {
    const match = /^Basic ([A-Za-z0-9+/]+=*)$/.exec(authorization ?? '');
    if (match === null) return false;
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return false;
    try {
      return formDecode(decoded.slice(0, colon)) === this.#options.clientId && formDecode(decoded.slice(colon + 1)) === this.#options.clientSecret;
    } catch {
      return false; // a malformed %-escape
    }
  }

  #changed(): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiting) {
      if (waiter.condition()) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }
}

function revocationEvent(entry: LoggedRevocation): string {
  return `id: ${entry.seq}\nevent: revocation\ndata: ${JSON.stringify(entry)}\n\n`;
}

/** application/x-www-form-urlencoded decoding of one value: '+' is a space, then %-escapes. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll('+', ' '));
}

function cursor(value: string): number | undefined {
  return /^(0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : undefined;
}
