import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  generateSessionToken,
  hashSecret,
  parseSessionToken,
  randomId,
  secretMatches,
} from '../../../src/core/sessions/session-token.ts';
import { systemRandom } from '../../../src/core/clock.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { createTestCore, seedUser, testContext, testPassword } from '../../support/core-deps.ts';

const sha256 = (text: string): Uint8Array => new Uint8Array(createHash('sha256').update(text).digest());

describe('session token', () => {
  describe('generateSessionToken', () => {
    it('makes id.secret: a 22-char id (128 bits) and a 43-char secret (256 bits), base64url (SEC-57)', () => {
      const { id, token } = generateSessionToken(systemRandom);
      assert.match(token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
      assert.equal(token.split('.')[0], id);
    });

    it('returns the SHA-256 of the secret half, never the secret', () => {
      const { token, secretHash } = generateSessionToken(systemRandom);
      const secret = token.split('.')[1] ?? '';
      assert.deepEqual(secretHash, sha256(secret));
      assert.deepEqual(hashSecret(secret), sha256(secret));
    });

    it('never repeats', () => {
      const tokens = new Set(Array.from({ length: 1000 }, () => generateSessionToken(systemRandom).token));
      assert.equal(tokens.size, 1000);
    });

    it('takes its randomness from the injected Random', () => {
      const zeros = { bytes: (length: number) => new Uint8Array(length) };
      assert.equal(generateSessionToken(zeros).token, `${'A'.repeat(22)}.${'A'.repeat(43)}`);
      assert.equal(randomId(zeros), 'A'.repeat(22));
    });
  });

  describe('parseSessionToken', () => {
    const { token } = generateSessionToken(systemRandom);
    const [id = '', secret = ''] = token.split('.');

    it('splits a well-formed token', () => {
      assert.deepEqual(parseSessionToken(token), { id, secret });
    });

    const refused: Array<[string, string]> = [
      ['the empty string', ''],
      ['a missing dot', `${id}${secret}`],
      ['a dot in the wrong place', `${id.slice(0, 21)}.${id.slice(21)}${secret}`],
      ['two dots', `${id}.${secret.slice(0, 21)}.${secret.slice(22)}`],
      ['a short id', `${id.slice(1)}.${secret}`],
      ['a long id', `${id}A.${secret}`],
      ['a short secret', `${id}.${secret.slice(1)}`],
      ['a long secret', `${id}.${secret}A`],
      ['base64 "+" in the id', `${id.slice(0, 21)}+.${secret}`],
      ['base64 "/" in the secret', `${id}.${secret.slice(0, 42)}/`],
      ['padding', `${id}.${secret.slice(0, 42)}=`],
      ['a space', `${id}.${secret.slice(0, 42)} `],
      ['a non-ASCII letter', `${id}.${secret.slice(0, 42)}é`],
      ['a URL-encoded dot', `${id}%2E${secret.slice(3)}`],
      ['only the id', id],
      ['a 1 kB value', 'A'.repeat(1024)],
    ];
    for (const [why, value] of refused) {
      it(`refuses ${why}`, () => {
        assert.equal(parseSessionToken(value), null, JSON.stringify(value));
      });
    }
  });

  describe('secretMatches', () => {
    it('matches only the secret whose hash is stored', () => {
      const { token, secretHash } = generateSessionToken(systemRandom);
      const secret = token.split('.')[1] ?? '';
      assert.equal(secretMatches(secret, secretHash), true);
      assert.equal(secretMatches(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, secretHash), false);
      assert.equal(secretMatches(secret, new Uint8Array(32)), false);
      assert.equal(secretMatches(secret, secretHash.slice(0, 16)), false, 'a short stored hash is a mismatch, not a throw');
    });
  });

  describe('at rest', () => {
    it('stores only SHA-256(secret): the token and the secret appear nowhere in the store (SEC-57)', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, 'alice@example.com');
      const { token, session } = await logIn(core, { email: 'alice@example.com', password: testPassword }, testContext());
      const secret = token.split('.')[1] ?? '';

      const stored = await core.store.sessions.findWithUser(session.id);
      assert.ok(stored !== null);
      assert.deepEqual(stored.session.secretHash, sha256(secret));

      const everything = JSON.stringify(
        {
          sessions: await core.store.sessions.listByUser(user.id),
          users: await core.store.users.list({ limit: 100 }),
          audit: await core.store.audit.list({ limit: 100 }),
        },
        (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64url') : value),
      );
      assert.ok(everything.includes(session.id), 'the public id is stored');
      assert.ok(!everything.includes(token), 'the token is not stored');
      assert.ok(!everything.includes(secret), 'the secret is not stored');
      assert.ok(!everything.includes(Buffer.from(secret).toString('base64url')));
    });
  });
});
