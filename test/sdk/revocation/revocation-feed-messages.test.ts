import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RevocationFeedError } from '../../../packages/sdk/src/index.ts';
import { parseReadyEvent, parseRevocationEvent } from '../../../packages/sdk/src/revocation/revocation-feed-messages.ts';

function assertProtocolError(read: () => unknown, message: RegExp): void {
  assert.throws(read, (error: unknown) => error instanceof RevocationFeedError && error.reason === 'protocol_error' && message.test(error.message));
}

describe('parseRevocationEvent', () => {
  it('reads an entry with a sid, a jti or both; null is absent; unknown members are ignored', () => {
    assert.deepEqual(parseRevocationEvent('{"seq":1,"sid":"ses_1","expiresAtMs":1900000600000}'), { seq: 1, sid: 'ses_1', expiresAtMs: 1_900_000_600_000 });
    assert.deepEqual(parseRevocationEvent('{"seq":2,"sid":null,"jti":"at_2","expiresAtMs":5,"reason":"logout"}'), { seq: 2, jti: 'at_2', expiresAtMs: 5 });
    assert.deepEqual(parseRevocationEvent('{"seq":3,"sid":"s","jti":"j","expiresAtMs":-1}'), { seq: 3, sid: 's', jti: 'j', expiresAtMs: -1 });
    assert.ok(Object.isFrozen(parseRevocationEvent('{"seq":4,"jti":"j","expiresAtMs":0}')));
  });

  const unreadable: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['[1]', /not a JSON object/],
    ['null', /not a JSON object/],
    ['{"sid":"s","expiresAtMs":1}', /seq is not a positive integer/],
    ['{"seq":0,"sid":"s","expiresAtMs":1}', /seq is not a positive integer/],
    ['{"seq":1.5,"sid":"s","expiresAtMs":1}', /seq is not a positive integer/],
    ['{"seq":"1","sid":"s","expiresAtMs":1}', /seq is not a positive integer/],
    ['{"seq":9007199254740993,"sid":"s","expiresAtMs":1}', /seq is not a positive integer/],
    ['{"seq":1,"sid":"","expiresAtMs":1}', /sid is not a non-empty string/],
    ['{"seq":1,"sid":7,"expiresAtMs":1}', /sid is not a non-empty string/],
    ['{"seq":1,"jti":["a"],"expiresAtMs":1}', /jti is not a non-empty string/],
    ['{"seq":1,"expiresAtMs":1}', /neither sid nor jti/],
    ['{"seq":1,"sid":"s"}', /expiresAtMs is not a finite number/],
    ['{"seq":1,"sid":"s","expiresAtMs":"1"}', /expiresAtMs is not a finite number/],
    ['{"seq":1,"sid":"s","expiresAtMs":1e400}', /expiresAtMs is not a finite number/],
  ];
  for (const [data, message] of unreadable) {
    it(`refuses ${data}`, () => assertProtocolError(() => parseRevocationEvent(data), message));
  }

  it('never echoes the data into the message (SEC-87)', () => {
    assert.throws(() => parseRevocationEvent('{"seq":1,"sid":"<script>","expiresAtMs":"x"}'), (error: unknown) => !(error as Error).message.includes('<script>'));
  });
});

describe('parseReadyEvent', () => {
  it('reads { latest }, 0 included', () => {
    assert.deepEqual(parseReadyEvent('{"latest":0}'), { latest: 0 });
    assert.deepEqual(parseReadyEvent('{"latest":42,"extra":true}'), { latest: 42 });
  });

  it('refuses anything else', () => {
    for (const data of ['{}', '{"latest":-1}', '{"latest":"3"}', '{"latest":1.5}', '[]', '']) assertProtocolError(() => parseReadyEvent(data), /ready event|not JSON|not a JSON object/);
  });
});
