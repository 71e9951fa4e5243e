/**
 * @internal One event of a `text/event-stream`, as the WHATWG HTML standard (9.2.6, "Interpreting
 * an event stream") dispatches it.
 *
 * @example
 * const event: ServerSentEvent = { type: 'revocation', data: '{"seq":1}', lastEventId: '1' };
 */
export interface ServerSentEvent {
  /** The `event:` field, `message` when there was none. */
  readonly type: string;
  /** The `data:` lines joined with LF. */
  readonly data: string;
  /** The last `id:` seen on the stream, this event's or an earlier one's ('' if none yet). */
  readonly lastEventId: string;
}

/**
 * @internal What an {@link EventStreamParser} reports, synchronously, from inside `push()`; an
 * exception thrown by a handler propagates out of `push()`.
 *
 * @example
 * const handlers: EventStreamHandlers = { onEvent: (event) => console.log(event.type, event.data) };
 */
export interface EventStreamHandlers {
  onEvent(event: ServerSentEvent): void;
  /** A comment line (`: ping`): the text after the colon, as is. */
  onComment?(text: string): void;
  /** A `retry:` field of ASCII digits only: the server's reconnection time. */
  onRetry?(delayMs: number): void;
}

/** A line plus the data of the event it belongs to, in UTF-16 code units: 1 MiB of ASCII. */
const defaultMaxBufferedChars = 1 << 20;
const asciiDigits = /^[0-9]+$/;

/**
 * @internal An incremental parser of the `text/event-stream` format: feed it the body's bytes as
 * they arrive, in chunks cut anywhere (inside a CRLF, inside a multi-byte UTF-8 character), and it
 * reports each event once its terminating blank line has arrived.
 *
 * Follows the standard to the letter: UTF-8 with a leading BOM dropped and invalid bytes read as
 * U+FFFD; lines end with CRLF, LF or CR; `field: value` with one optional space after the colon;
 * `data` lines accumulate; an `id` containing NUL is ignored, an empty `id` resets it; a block with
 * no data dispatches nothing (but its `id` still counts); unknown fields are ignored; an event cut
 * off by the end of the stream is discarded. One departure: a line, or an event's data, longer than
 * `maxBufferedChars` throws instead of growing without bound.
 *
 * @example
 * const parser = new EventStreamParser({ onEvent: (event) => console.log(event.data) });
 * for await (const chunk of response.body) parser.push(chunk);
 * parser.end();
 */
export class EventStreamParser {
  readonly #handlers: EventStreamHandlers;
  readonly #maxBufferedChars: number;
  readonly #decoder = new TextDecoder('utf-8');
  readonly #lineBreak = /\r\n|\r|\n/g;
  /** The start of a line whose end has not arrived yet. */
  #partialLine = '';
  /** The previous chunk ended with CR: a LF starting the next one belongs to that line break. */
  #skipLeadingLf = false;
  #data = '';
  #eventType = '';
  #lastEventId = '';
  #ended = false;

  constructor(handlers: EventStreamHandlers, options: { maxBufferedChars?: number } = {}) {
    this.#handlers = handlers;
    this.#maxBufferedChars = options.maxBufferedChars ?? defaultMaxBufferedChars;
  }

  /** Parses the next bytes of the stream (a string is taken as already decoded text). */
  push(chunk: Uint8Array | string): void {
    if (this.#ended) throw new Error('event stream: push() after end()');
    this.#parseText(typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true }));
  }

  /** The stream is over: decodes what is left, and drops any event it cut off. */
  end(): void {
    if (this.#ended) return;
    this.#parseText(this.#decoder.decode());
    this.#ended = true;
    this.#partialLine = '';
    this.#data = '';
    this.#eventType = '';
  }

  #parseText(text: string): void {
    let start = 0;
    if (this.#skipLeadingLf && text.length > 0) {
      this.#skipLeadingLf = false;
      if (text.charCodeAt(0) === 0x0a) start = 1;
    }
    const lineBreak = this.#lineBreak;
    lineBreak.lastIndex = start;
    for (let match = lineBreak.exec(text); match !== null; match = lineBreak.exec(text)) {
      const line = this.#partialLine + text.slice(start, match.index);
      this.#partialLine = '';
      start = lineBreak.lastIndex;
      // A CR at the very end may be the first half of a CRLF whose LF is in the next chunk.
      if (match[0] === '\r' && start === text.length) this.#skipLeadingLf = true;
      this.#parseLine(line);
    }
    this.#partialLine += text.slice(start);
    this.#checkSize();
  }

  #parseLine(line: string): void {
    if (line.length > this.#maxBufferedChars) this.#tooLong();
    if (line === '') {
      this.#dispatch();
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) {
      this.#handlers.onComment?.(line.slice(1));
      return;
    }
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#eventType = value;
        break;
      case 'data':
        this.#data += `${value}\n`;
        this.#checkSize();
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      case 'retry':
        if (asciiDigits.test(value)) this.#handlers.onRetry?.(Number.parseInt(value, 10));
        break;
      default:
      // Unknown fields are ignored, as the standard says.
    }
  }

  #dispatch(): void {
    const data = this.#data;
    const type = this.#eventType;
    this.#data = '';
    this.#eventType = '';
    if (data === '') return;
    this.#handlers.onEvent({ type: type === '' ? 'message' : type, data: data.slice(0, -1), lastEventId: this.#lastEventId });
  }

  #checkSize(): void {
    if (this.#partialLine.length + this.#data.length > this.#maxBufferedChars) this.#tooLong();
  }

  #tooLong(): never {
    throw new Error(`event stream: a line or an event is longer than ${this.#maxBufferedChars} characters`);
  }
}
