import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { flowSecrets, newFlowSecrets } from '../../../src/core/oauth-client/flow-secrets.ts';

describe('flowSecrets', () => {
  const key = new Uint8Array(32).fill(7);

  it('a new flow has a 256-bit cookie value; state, nonce and verifier are 43 base64url characters and distinct', () => {
    const s = newFlowSecrets(key, systemRandom);
    for (const value of [s.cookieValue, s.state, s.nonce, s.codeVerifier]) assert.match(value, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(new Set([s.cookieValue, s.state, s.nonce, s.codeVerifier]).size, 4);
    assert.deepEqual(s.idHash, new Uint8Array(createHash('sha256').update(s.cookieValue).digest()));
  });

  it('the callback recomputes the same secrets from the cookie; another key or cookie gives others', () => {
    const s = newFlowSecrets(key, systemRandom);
    assert.deepEqual(flowSecrets(key, s.cookieValue), s);
    const otherKey = flowSecrets(new Uint8Array(32).fill(8), s.cookieValue);
    assert.notEqual(otherKey.state, s.state);
    assert.notEqual(otherKey.codeVerifier, s.codeVerifier);
    assert.notEqual(newFlowSecrets(key, systemRandom).state, s.state);
  });

  it('a new flow takes its cookie value from the injected Random port', () => {
    const fixed = { bytes: (length: number) => new Uint8Array(length).fill(5) };
    const s = newFlowSecrets(key, fixed);
    assert.equal(s.cookieValue, Buffer.from(new Uint8Array(32).fill(5)).toString('base64url'));
    assert.deepEqual(s, flowSecrets(key, s.cookieValue));
  });
});
