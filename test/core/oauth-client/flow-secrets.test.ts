import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { flowSecrets } from '../../../src/core/oauth-client/flow-secrets.ts';

describe('flowSecrets', () => {
  const key = new Uint8Array(32).fill(7);

  it('a new flow has a 256-bit cookie value; state, nonce and verifier are 43 base64url characters and distinct', () => {
    const s = flowSecrets(key);
    for (const value of [s.cookieValue, s.state, s.nonce, s.codeVerifier]) assert.match(value, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(new Set([s.cookieValue, s.state, s.nonce, s.codeVerifier]).size, 4);
    assert.deepEqual(s.idHash, new Uint8Array(createHash('sha256').update(s.cookieValue).digest()));
  });

  it('the callback recomputes the same secrets from the cookie; another key or cookie gives others', () => {
    const s = flowSecrets(key);
    assert.deepEqual(flowSecrets(key, s.cookieValue), s);
    const otherKey = flowSecrets(new Uint8Array(32).fill(8), s.cookieValue);
    assert.notEqual(otherKey.state, s.state);
    assert.notEqual(otherKey.codeVerifier, s.codeVerifier);
    assert.notEqual(flowSecrets(key).state, s.state);
  });
});
