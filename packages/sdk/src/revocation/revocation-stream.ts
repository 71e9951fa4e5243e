import { EventStreamParser, type ServerSentEvent } from './event-stream.ts';
import { RevocationFeedError } from './revocation-feed-error.ts';

/** @internal One connection to the feed: where, as whom, and from which sequence number on. */
export interface RevocationStreamRequest {
  readonly url: URL;
  readonly authorization: string;
  /** The highest `seq` applied so far; 0 before the first. */
  readonly afterSeq: number;
  readonly signal: AbortSignal;
}

/** @internal What a connection reports, synchronously; a handler that throws ends the connection. */
export interface RevocationStreamHandlers {
  /** Bytes (or the response head) arrived: the connection is alive. */
  onActivity(): void;
  onEvent(event: ServerSentEvent): void;
  onComment(): void;
}

/**
 * @internal Opens the event stream (`Accept: text/event-stream`, `?since=` and `Last-Event-ID` set
 * to `afterSeq`) and feeds its events to `handlers` until the server ends it (resolves) or it fails
 * (rejects with a {@link RevocationFeedError}, or with whatever `signal` was aborted with).
 *
 * Redirects are not followed: the client credentials are for `url`, not for wherever a response
 * points. The response must be 200 `text/event-stream`; anything else is the wrong endpoint or a
 * proxy's page, and is refused before a byte of it is parsed.
 */
export async function readRevocationStream(request: RevocationStreamRequest, handlers: RevocationStreamHandlers): Promise<void> {
  const url = new URL(request.url);
  url.searchParams.set('since', String(request.afterSeq));
  const headers: Record<string, string> = { accept: 'text/event-stream', authorization: request.authorization, 'cache-control': 'no-store' };
  // The EventSource way of resuming; `since` says the same for servers and proxies that drop it.
  if (request.afterSeq > 0) headers['last-event-id'] = String(request.afterSeq);

  let response: Response;
  try {
    response = await fetch(url, { headers, signal: request.signal, redirect: 'manual' });
  } catch (error) {
    throw request.signal.aborted ? request.signal.reason : new RevocationFeedError('network_error', `could not connect to ${url.origin}${url.pathname}`, { cause: error });
  }
  handlers.onActivity();
  if (response.status !== 200 || !isEventStream(response.headers.get('content-type'))) {
    await response.body?.cancel().catch(() => undefined);
    throw responseError(response);
  }
  if (response.body === null) throw new RevocationFeedError('protocol_error', 'the response has no body');

  const parser = new EventStreamParser({ onEvent: handlers.onEvent, onComment: handlers.onComment });
  const reader = response.body.getReader();
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw request.signal.aborted ? request.signal.reason : new RevocationFeedError('network_error', 'the connection broke', { cause: error });
      }
      if (chunk.done) break;
      handlers.onActivity();
      try {
        parser.push(chunk.value);
      } catch (error) {
        throw error instanceof RevocationFeedError ? error : new RevocationFeedError('protocol_error', 'the event stream could not be read', { cause: error });
      }
    }
    parser.end();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

function isEventStream(contentType: string | null): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'text/event-stream';
}

function responseError(response: Response): RevocationFeedError {
  if (response.status === 401) {
    return new RevocationFeedError('authentication_failed', 'authentication failed (HTTP 401): check revocationFeed.clientId and clientSecret');
  }
  if (response.status >= 300 && response.status < 400) {
    return new RevocationFeedError('http_error', `HTTP ${response.status}: redirects are not followed (the credentials are sent to revocationFeed.url only)`);
  }
  if (response.status !== 200) return new RevocationFeedError('http_error', `HTTP ${response.status}`);
  return new RevocationFeedError('protocol_error', 'the response is not text/event-stream');
}
