import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeEmail } from '../../../src/core/accounts/normalize-email.ts';

describe('normalizeEmail', () => {
  describe('normalizes', () => {
    it('trims surrounding white space', () => {
      assert.equal(normalizeEmail('  alice@example.com \t'), 'alice@example.com');
    });

    it('lowercases the domain', () => {
      assert.equal(normalizeEmail('alice@Example.COM'), 'alice@example.com');
    });

    it('lowercases the local part, so Alice@ and alice@ are one account (SEC-97)', () => {
      assert.equal(normalizeEmail('Alice.Smith@example.com'), 'alice.smith@example.com');
      assert.equal(normalizeEmail('ALICE@example.com'), normalizeEmail('alice@example.com'));
    });

    it('keeps dots and +tags in the local part (removing them is a Gmail-only rule)', () => {
      assert.equal(normalizeEmail('a.l.i.c.e+news@example.com'), 'a.l.i.c.e+news@example.com');
      assert.notEqual(normalizeEmail('alice+a@example.com'), normalizeEmail('alice@example.com'));
      assert.notEqual(normalizeEmail('a.lice@example.com'), normalizeEmail('alice@example.com'));
    });

    it('converts an IDN domain to punycode (SEC-97)', () => {
      assert.equal(normalizeEmail('hans@bücher.de'), 'hans@xn--bcher-kva.de');
      assert.equal(normalizeEmail('hans@BÜCHER.DE'), 'hans@xn--bcher-kva.de');
      assert.equal(normalizeEmail('hans@xn--bcher-kva.de'), 'hans@xn--bcher-kva.de');
    });

    it('applies NFC, so composed and decomposed forms are one account (SEC-97)', () => {
      const composed = 'jos\u00e9@example.com';
      const decomposed = 'jose\u0301@example.com';
      assert.equal(normalizeEmail(decomposed), composed);
    });

    it('is idempotent', () => {
      const once = normalizeEmail('  Ünïcode.User+Tag@BÜCHER.de ');
      assert.ok(once !== null);
      assert.equal(normalizeEmail(once), once);
    });

    it('accepts an address of exactly 254 characters', () => {
      const local = 'a'.repeat(64);
      const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
      const email = `${local}@${domain}`;
      assert.equal(email.length, 254);
      assert.equal(normalizeEmail(email), email);
    });
  });

  describe('refuses (returns null)', () => {
    const refused: Array<[string, string]> = [
      ['CRLF header injection after the address', 'alice@example.com\r\nBcc: mallory@evil.example'],
      ['CRLF inside the local part', 'ali\r\nce@example.com'],
      ['LF inside the domain', 'alice@exam\nple.com'],
      ['a bare CR in the domain', 'alice@example.com\rx'],
      ['a NUL byte', 'alice\u0000@example.com'],
      ['a space in the local part', 'ali ce@example.com'],
      ['a space in the domain', 'alice@exa mple.com'],
      ['a tab in the domain', 'alice@example.\tcom'],
      ['no @', 'alice.example.com'],
      ['an empty local part', '@example.com'],
      ['an empty domain', 'alice@'],
      ['only @', '@'],
      ['the empty string', ''],
      ['only white space', '   \t  '],
      ['two @', 'alice@bob@example.com'],
      ['consecutive dots in the local part', 'al..ice@example.com'],
      ['a leading dot in the local part', '.alice@example.com'],
      ['a trailing dot in the local part', 'alice.@example.com'],
      ['consecutive dots in the domain', 'alice@example..com'],
      ['a leading dot in the domain', 'alice@.example.com'],
      ['a trailing dot in the domain', 'alice@example.com.'],
      ['a domain without a dot', 'alice@localhost'],
      ['an underscore in the domain', 'alice@exa_mple.com'],
      ['a label starting with a hyphen', 'alice@-example.com'],
      ['a quoted local part', '"alice smith"@example.com'],
      ['angle brackets', '<alice@example.com>'],
      ['a display name', 'Alice <alice@example.com>'],
    ];
    for (const [why, input] of refused) {
      it(why, () => {
        assert.equal(normalizeEmail(input), null, JSON.stringify(input));
      });
    }

    it('an address over 254 characters (SEC-97)', () => {
      const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(58)}.com`;
      assert.equal(email.length, 255);
      assert.equal(normalizeEmail(email), null);
    });

    it('a very long input, without choking on it', () => {
      const startedMs = performance.now();
      assert.equal(normalizeEmail(`${'a'.repeat(50_000)}@example.com`), null);
      assert.equal(normalizeEmail(`alice@${'a.'.repeat(25_000)}com`), null);
      assert.ok(performance.now() - startedMs < 100);
    });

    it('a local part over 64 characters', () => {
      assert.equal(normalizeEmail(`${'a'.repeat(65)}@example.com`), null);
      assert.equal(normalizeEmail(`${'a'.repeat(64)}@example.com`), `${'a'.repeat(64)}@example.com`);
    });

    it('a domain label over 63 characters', () => {
      assert.equal(normalizeEmail(`alice@${'b'.repeat(64)}.com`), null);
    });
  });

  it('never returns a value with CR, LF or white space in it (SEC-97)', () => {
    // Trailing CRLF is trimmed away rather than refused: what comes out is still clean.
    for (const input of ['alice@example.com\r\n', '\r\nalice@example.com', ' alice@example.com ']) {
      const email = normalizeEmail(input);
      assert.equal(email, 'alice@example.com');
    }
  });
});
