import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { hashSecret } from '../../../src/core/sessions/session-token.ts';
import { newRefreshToken, successorPointedTo, successorRefreshToken } from '../../../src/core/tokens/refresh-token-secret.ts';

/** The time carried by a 22-character time-ordered id (core/time-ordered-id.ts). */
const timeOf = (id: string): number => Buffer.from(id, 'base64url').readUIntBE(0, 6);
const random = { bytes: (n: number) => new Uint8Array(randomBytes(n)) };
const key = new Uint8Array(randomBytes(32));

describe('refresh token ids and secrets', () => {
  it('a new family: a time-ordered id of the usual shape, a 256-bit random secret, stored as its SHA-256 only', () => {
    const a = newRefreshToken(random, 1_767_225_600_000);
    const b = newRefreshToken(random, 1_767_225_600_001);
    assert.match(a.id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(timeOf(a.id), 1_767_225_600_000);
    assert.equal(timeOf(b.id), 1_767_225_600_001);
    assert.equal(a.id.slice(0, 6), b.id.slice(0, 6), 'ids made moments apart share their first characters: neighbours in an index');
    const [id, secret] = a.token.split('.') as [string, string];
    assert.equal(id, a.id);
    assert.equal(Buffer.from(secret, 'base64url').length, 32);
    assert.deepEqual(a.secretHash, hashSecret(secret));
  });

  it('a successor: its id carries the rotation time, its secret depends on the presented secret only; the same inputs give the same successor', () => {
    const s1 = successorRefreshToken(key, 'presented-secret', 1_767_225_600_000);
    const again = successorRefreshToken(key, 'presented-secret', 1_767_225_600_000);
    const later = successorRefreshToken(key, 'presented-secret', 1_767_225_660_000);
    assert.deepEqual(again, s1);
    assert.equal(timeOf(s1.id), 1_767_225_600_000);
    assert.equal(timeOf(later.id), 1_767_225_660_000);
    assert.equal(s1.token.split('.')[1], later.token.split('.')[1], 'the secret does not depend on the time');
    assert.notEqual(successorRefreshToken(key, 'another-secret', 1_767_225_600_000).id, s1.id);
    assert.notEqual(successorRefreshToken(new Uint8Array(randomBytes(32)), 'presented-secret', 1_767_225_600_000).token, s1.token, 'another server key, another successor');
  });

  it('successorPointedTo recomputes the successor a rotation recorded, including one recorded before ids were time-ordered, and nothing else', () => {
    const s1 = successorRefreshToken(key, 'presented-secret', 1_767_225_600_000);
    assert.deepEqual(successorPointedTo(key, 'presented-secret', 1_767_225_600_000, s1.id), s1);
    assert.equal(successorPointedTo(key, 'presented-secret', 1_767_225_600_001, s1.id), null, 'another rotation time');
    assert.equal(successorPointedTo(key, 'another-secret', 1_767_225_600_000, s1.id), null, 'another secret');
    // Before: the id was the first 128 bits of the same HMAC, the secret the same.
    const legacyId = legacyIdOf('presented-secret');
    const legacy = successorPointedTo(key, 'presented-secret', 1_767_225_600_000, legacyId);
    assert.equal(legacy?.token, `${legacyId}.${s1.token.split('.')[1] as string}`);
  });
});

function legacyIdOf(secret: string): string {
  // What successorRefreshToken derived as the id before ids were time-ordered (a fixed reference).
  return createHmac('sha512', key).update(`gatehouse refresh rotation v1\0${secret}`).digest().subarray(0, 16).toString('base64url');
}
