import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import type { DeliverySender, OutgoingRequest, SendResult } from '../core/delivery/deliver-due.ts';
import { createAddressPolicy } from './address-policy.ts';

export interface HttpSenderOptions {
  /** The whole attempt (DNS, connect, TLS, answer) at most this long. */
  timeoutMs: number;
  /** A receiver's answer is read up to this many bytes; a longer one is a failure. */
  maxResponseBytes: number;
  /** Networks allowed although not public (GATEHOUSE_DELIVERY_ALLOWED_NETWORKS): loopback, linklocal, uniquelocal, IPs, CIDRs. */
  allowedNetworks: readonly string[];
  /** Name resolution; tests make a name resolve to a chosen address. */
  lookup?: (hostname: string, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;
}

// node:http and node:https through getBuiltinModule, not an ESM import: an ESM import of
// node:http reads every export, and its lazy WebSocket/CloseEvent/MessageEvent getters load
// node's bundled undici (with http2 and worker_threads): ~13 MB of RSS that the server keeps
// for as long as it runs, for classes it never uses.
const { request: httpRequest } = process.getBuiltinModule('node:http');
const { request: httpsRequest } = process.getBuiltinModule('node:https');

const systemLookup: NonNullable<HttpSenderOptions['lookup']> = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

class Refused extends Error {}

/**
 * The outbox's HTTP client (docs/security.md SEC-285..289): one POST per attempt, https only
 * (plain http only to a loopback address the policy allows, for dev mode and tests), every
 * address a name resolves to checked before connecting and the connected address checked
 * again, no redirect followed, the answer cut off at `maxResponseBytes`, the whole attempt
 * bounded by `timeoutMs`, and a new connection each time (no pooled socket to another host).
 */
export function createHttpSender(options: HttpSenderOptions): DeliverySender {
  const policy = createAddressPolicy(options.allowedNetworks);
  const resolve = options.lookup ?? systemLookup;

  const refusalOf = (address: string, plainHttp: boolean): string | null =>
    policy.refusal(address) ?? (plainHttp && !policy.isLoopback(address) ? 'plain_http_refused' : null);

  /** Refuses an address before the socket opens: the one the connection then uses. */
  const checkedLookup =
    (plainHttp: boolean): LookupFunction =>
    (hostname, lookupOptions, callback) => {
      resolve(hostname, (error, addresses) => {
        if (error !== null) return callback(error, '', 0);
        // Every address, not just the first: a name answering one public and one private
        // address would otherwise reach the private one on a retry or a second family.
        const refusal = addresses.length === 0 ? 'address_not_allowed' : addresses.map((a) => refusalOf(a.address, plainHttp)).find((r) => r !== null);
        if (refusal !== undefined && refusal !== null) return callback(new Refused(refusal), '', 0);
        if (lookupOptions.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0] as LookupAddress;
        return callback(null, first.address, first.family);
      });
    };

  return {
    send(outgoing: OutgoingRequest): Promise<SendResult> {
      let url: URL;
      try {
        url = new URL(outgoing.url);
      } catch {
        return Promise.resolve({ ok: false, status: null, error: 'invalid_url' });
      }
      const plainHttp = url.protocol === 'http:';
      if (!plainHttp && url.protocol !== 'https:') return Promise.resolve({ ok: false, status: null, error: 'scheme_not_allowed' });
      if (url.username !== '' || url.password !== '') return Promise.resolve({ ok: false, status: null, error: 'credentials_in_url' });
      const literal = url.hostname.replace(/^\[|\]$/g, '');
      // An IP literal is connected to without a lookup: check it here.
      const literalRefusal = isIP(literal) === 0 ? null : refusalOf(literal, plainHttp);
      if (literalRefusal !== null) return Promise.resolve({ ok: false, status: null, error: literalRefusal });

      return new Promise<SendResult>((settle) => {
        let settled = false;
        let request: ClientRequest | null = null;
        const done = (result: SendResult): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          request?.destroy();
          settle(result);
        };
        const timer = setTimeout(() => done({ ok: false, status: null, error: 'timeout' }), options.timeoutMs);
        const body = Buffer.from(outgoing.body, 'utf8');
        const requestOptions: RequestOptions & { autoSelectFamily: boolean } = {
          method: 'POST',
          headers: { ...outgoing.headers, 'content-length': String(body.length), 'user-agent': 'Gatehouse-Delivery/1' },
          agent: false,
          lookup: checkedLookup(plainHttp),
          // One address, the one the checked lookup answered, not a race between several.
          autoSelectFamily: false,
        };
        request = (plainHttp ? httpRequest : httpsRequest)(url, requestOptions);
        request.on('socket', (socket: Socket) => {
          // Checked again on the connected socket: what counts is where the bytes went.
          socket.once('connect', () => {
            const refusal = refusalOf(socket.remoteAddress ?? '', plainHttp);
            if (refusal !== null) done({ ok: false, status: null, error: refusal });
          });
        });
        request.on('error', (error: Error & { code?: string }) => {
          done({ ok: false, status: null, error: error instanceof Refused ? error.message : `connection_failed${error.code === undefined ? '' : `: ${error.code}`}` });
        });
        request.on('response', (response: IncomingMessage) => {
          const status = response.statusCode ?? 0;
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > options.maxResponseBytes) done({ ok: false, status, error: 'response_too_large' });
          });
          response.on('error', () => done({ ok: false, status, error: 'response_failed' }));
          response.on('end', () => {
            if (status >= 200 && status < 300) done({ ok: true, status });
            // A redirect is not followed: it could lead anywhere, past every check above.
            else done({ ok: false, status, error: status >= 300 && status < 400 ? 'redirect_not_followed' : `status_${status}` });
          });
        });
        request.end(body);
      });
    },
  };
}
