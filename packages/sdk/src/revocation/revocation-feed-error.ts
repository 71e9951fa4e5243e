/**
 * Why the revocation feed is not (or no longer) current; a stable code, for logs and metrics.
 *
 * - `authentication_failed`: the server answered 401: wrong `clientId` or `clientSecret`.
 * - `http_error`: another status than 200 (a redirect too: the credentials go to `url` only).
 * - `protocol_error`: not `text/event-stream`, or an event the SDK cannot read. The connection is
 *   dropped rather than the event skipped, so it is asked for again after reconnecting.
 * - `network_error`: the connection could not be made, or broke.
 * - `stream_ended`: the server ended the stream.
 * - `idle_timeout`: nothing arrived, not even a heartbeat, for `maxStalenessMs`.
 * - `stale`: no sign that the feed is current for `maxStalenessMs` (or not caught up yet):
 *   `verify()` refuses tokens with `verifier_unavailable` until it is.
 * - `callback_failed`: `onRevocation` threw (the revocation was applied all the same).
 *
 * @example
 * import type { RevocationFeedErrorReason } from '@gatehouse/sdk';
 * const page: RevocationFeedErrorReason[] = ['authentication_failed', 'stale'];
 */
export type RevocationFeedErrorReason =
  | 'authentication_failed'
  | 'http_error'
  | 'protocol_error'
  | 'network_error'
  | 'stream_ended'
  | 'idle_timeout'
  | 'stale'
  | 'callback_failed';

/**
 * A problem with the revocation feed: passed to `revocationFeed.onError`, and the `cause` of the
 * `verifier_unavailable` error `verify()` throws while the feed is not current. The verifier keeps
 * reconnecting on its own; this error is for logs. Messages name no secret.
 *
 * @example
 * import { createVerifier, RevocationFeedError } from '@gatehouse/sdk';
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   revocationFeed: {
 *     clientId: 'cli_notes_api',
 *     clientSecret: process.env.GATEHOUSE_CLIENT_SECRET!,
 *     onError: (error: RevocationFeedError) => logger.warn({ reason: error.reason }, error.message),
 *   },
 * });
 */
export class RevocationFeedError extends Error {
  readonly reason: RevocationFeedErrorReason;

  constructor(reason: RevocationFeedErrorReason, message: string, options: { cause?: unknown } = {}) {
    super(`Gatehouse revocation feed: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RevocationFeedError';
    this.reason = reason;
  }
}
