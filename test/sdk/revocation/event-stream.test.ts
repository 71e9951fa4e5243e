import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventStreamParser, type ServerSentEvent } from '../../../packages/sdk/src/revocation/event-stream.ts';

/** Everything a parser reported, in order, for comparing whole runs. */
type Reported = ['event', ServerSentEvent] | ['comment', string] | ['retry', number];

function parse(chunks: readonly (Uint8Array | string)[], options: { maxBufferedChars?: number } = {}): Reported[] {
  const reported: Reported[] = [];
  const parser = new EventStreamParser(
    {
      onEvent: (event) => reported.push(['event', event]),
      onComment: (text) => reported.push(['comment', text]),
      onRetry: (delayMs) => reported.push(['retry', delayMs]),
    },
    options,
  );
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return reported;
}

function events(chunks: readonly (Uint8Array | string)[]): ServerSentEvent[] {
  return parse(chunks).flatMap((entry) => (entry[0] === 'event' ? [entry[1]] : []));
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Every way of cutting `bytes` in two, then in single bytes. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const cuts: Uint8Array[][] = [];
  for (let index = 0; index <= bytes.length; index += 1) cuts.push([bytes.subarray(0, index), bytes.subarray(index)]);
  cuts.push([...bytes].map((byte) => Uint8Array.of(byte)));
  return cuts;
}

describe('EventStreamParser: fields (WHATWG HTML 9.2.6)', () => {
  it('dispatches an event on the blank line, with its type, data and id', () => {
    assert.deepEqual(events(['id: 7\nevent: revocation\ndata: {"seq":7}\n\n']), [{ type: 'revocation', data: '{"seq":7}', lastEventId: '7' }]);
  });

  it('types an event without `event:` as message, and resets the type after each event', () => {
    assert.deepEqual(events(['event: ready\ndata: a\n\ndata: b\n\n']), [
      { type: 'ready', data: 'a', lastEventId: '' },
      { type: 'message', data: 'b', lastEventId: '' },
    ]);
  });

  it('joins data lines with LF, dropping only the final one', () => {
    assert.deepEqual(events(['data: one\ndata:two\ndata\ndata:  three\n\n']).map((event) => event.data), ['one\ntwo\n\n three']);
    assert.deepEqual(events(['data\ndata\n\n']).map((event) => event.data), ['\n']);
  });

  it('removes one space after the colon, no more; a colon in the value stays', () => {
    assert.deepEqual(events(['data:  a: b\n\n']).map((event) => event.data), [' a: b']);
  });

  it('keeps the last id for later events, and an empty id resets it', () => {
    assert.deepEqual(
      events(['id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n']).map((event) => event.lastEventId),
      ['1', '1', ''],
    );
  });

  it('ignores an id containing NUL', () => {
    assert.deepEqual(events(['id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n']).map((event) => event.lastEventId), ['1', '1']);
  });

  it('dispatches nothing for a block without data, but its id counts', () => {
    assert.deepEqual(events(['event: ready\n\nid: 5\n\ndata: x\n\n']), [{ type: 'message', data: 'x', lastEventId: '5' }]);
  });

  it('reports comments as they are, and dispatches nothing for them', () => {
    assert.deepEqual(parse([': ping\n:\n\n']), [
      ['comment', ' ping'],
      ['comment', ''],
    ]);
  });

  it('ignores unknown fields; field names are case-sensitive', () => {
    assert.deepEqual(events(['Data: no\nfoo: bar\nDATA\ndata: yes\n\n']).map((event) => event.data), ['yes']);
  });

  it('reports retry only when it is ASCII digits', () => {
    assert.deepEqual(parse(['retry: 3000\nretry: 1.5\nretry: -1\nretry:\nretry: 12a\n\n']), [['retry', 3000]]);
  });

  it('drops an event cut off by the end of the stream, and a last line without its line break', () => {
    assert.deepEqual(events(['data: complete\n\ndata: cut\n']), [{ type: 'message', data: 'complete', lastEventId: '' }]);
    assert.deepEqual(events(['data: complete\n\ndata: cut']), [{ type: 'message', data: 'complete', lastEventId: '' }]);
  });
});

describe('EventStreamParser: line breaks', () => {
  it('ends lines at CRLF, LF and CR alike, mixed in one stream', () => {
    assert.deepEqual(events(['data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r']).map((event) => event.data), ['a\nb\nc', 'd']);
  });

  it('a CRLF cut between CR and LF is one line break, not two (which would dispatch early)', () => {
    assert.deepEqual(events(['data: a\r', '\ndata: b\r\n\r\n']).map((event) => event.data), ['a\nb']);
    assert.deepEqual(events(['data: a\r', '', '\ndata: b\n\n']).map((event) => event.data), ['a\nb'], 'an empty chunk in between');
  });

  it('a CR at the end of a chunk followed by other text is a line break of its own', () => {
    assert.deepEqual(events(['data: a\r', 'data: b\r', '\r']).map((event) => event.data), ['a\nb']);
  });

  it('gives the same result however the bytes are cut', () => {
    const stream = utf8('id: 1\r\nevent: revocation\r\ndata: {"seq":1}\r\n\r\n: ping\rid: 2\revent: revocation\rdata: x\r\rdata: y\ndata: z\n\n');
    const whole = parse([stream]);
    assert.equal(whole.length, 4);
    for (const chunks of splits(stream)) assert.deepEqual(parse(chunks), whole, `cut into ${chunks.map((chunk) => chunk.length).join('+')} bytes`);
  });
});

describe('EventStreamParser: UTF-8', () => {
  it('decodes multi-byte characters cut anywhere across chunks (2, 3 and 4 bytes)', () => {
    const data = '{"sid":"ses_é€😀"}';
    const stream = utf8(`event: revocation\ndata: ${data}\n\n`);
    for (const chunks of splits(stream)) assert.deepEqual(events(chunks), [{ type: 'revocation', data, lastEventId: '' }]);
  });

  it('drops a leading BOM, even cut in pieces, and only a leading one', () => {
    const withBom = Uint8Array.of(0xef, 0xbb, 0xbf, ...utf8('data: a\n\n'));
    for (const chunks of splits(withBom)) assert.deepEqual(events(chunks).map((event) => event.data), ['a']);
    // Further in, U+FEFF is an ordinary character: "\u{feff}data" is an unknown field, ignored.
    assert.deepEqual(events([utf8('data: a\n\n'), Uint8Array.of(0xef, 0xbb, 0xbf), utf8('data: b\n\n')]).map((event) => event.data), ['a']);
  });

  it('reads invalid UTF-8 as U+FFFD, as the standard says, rather than failing', () => {
    assert.deepEqual(events([Uint8Array.of(...utf8('data: '), 0xff, 0xc0, ...utf8('x\n\n'))]).map((event) => event.data), ['\u{fffd}\u{fffd}x']);
    assert.deepEqual(events([Uint8Array.of(...utf8('data: ok\n\ndata: '), 0xe2, 0x82)]).map((event) => event.data), ['ok'], 'a character cut by the end of the stream');
  });
});

describe('EventStreamParser: bounds', () => {
  it('throws on a line longer than maxBufferedChars, even arriving in small chunks (SEC-87)', () => {
    const parser = new EventStreamParser({ onEvent: () => undefined }, { maxBufferedChars: 64 });
    parser.push('data: ');
    assert.throws(() => {
      for (let index = 0; index < 100; index += 1) parser.push('x');
    }, /longer than 64 characters/);
  });

  it('throws on an event whose data lines add up to more than maxBufferedChars (SEC-87)', () => {
    const parser = new EventStreamParser({ onEvent: () => undefined }, { maxBufferedChars: 64 });
    assert.throws(() => parser.push('data: 0123456789\n'.repeat(10)), /longer than 64 characters/);
  });

  it('accepts any number of events within the bound', () => {
    assert.equal(events(['data: 0123456789\n\n'.repeat(1000)]).length, 1000);
  });

  it('refuses push() after end()', () => {
    const parser = new EventStreamParser({ onEvent: () => undefined });
    parser.end();
    assert.throws(() => parser.push('data: x\n\n'), /after end/);
  });
});
