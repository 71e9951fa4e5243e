import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertAcceptablePassword,
  exceedsPasswordByteCap,
  normalizePassword,
} from '../../../src/core/accounts/password-policy.ts';
import { throwsAuthError } from '../../support/auth-error.ts';
import { createTestPasswordPolicy, loadCommonPasswords } from '../../support/core-deps.ts';

const policy = createTestPasswordPolicy();
const email = 'alice.liddell@example.com';
const accepts = (password: string, forEmail: string = email): void =>
  assert.doesNotThrow(() => assertAcceptablePassword(password, forEmail, policy));

describe('password policy (SEC-1, SEC-2, SEC-3)', () => {
  describe('length, in Unicode code points', () => {
    it('refuses 14 characters with password_too_short', () => {
      const error = throwsAuthError(() => assertAcceptablePassword('a'.repeat(14), email, policy), 'password_too_short');
      assert.equal(error.status, 400);
      assert.match(error.detail ?? '', /15/);
    });

    it('accepts exactly 15 characters', () => {
      accepts('abcdefghijklmnx');
    });

    it('refuses the empty password', () => {
      throwsAuthError(() => assertAcceptablePassword('', email, policy), 'password_too_short');
    });

    it('accepts spaces and Unicode, with no composition rules', () => {
      const password = 'żółw  мёд  猫 é!';
      assert.equal([...password].length, 15);
      accepts(password);
      accepts(' '.repeat(15));
      accepts('all lower case letters only');
    });

    it('accepts 64 and more characters', () => {
      accepts('x'.repeat(64));
      accepts('the quick brown fox jumps over the lazy dog, then does it again and again');
      accepts('y'.repeat(512));
    });

    it('counts an emoji as one character, not two UTF-16 units', () => {
      const fourteen = '😀'.repeat(14);
      assert.equal(fourteen.length, 28); // what a naive .length check would see
      throwsAuthError(() => assertAcceptablePassword(fourteen, email, policy), 'password_too_short');
      accepts('😀'.repeat(15));
    });

    it('counts after NFKC normalization', () => {
      // U+FB01 (ﬁ ligature) is one code point and becomes "fi" under NFKC.
      const withLigature = `\ufb01${'a'.repeat(13)}`;
      assert.equal([...withLigature].length, 14);
      accepts(withLigature);
    });
  });

  describe('byte cap, checked first', () => {
    it('refuses more than maxBytes of UTF-8 with password_too_long', () => {
      const error = throwsAuthError(() => assertAcceptablePassword('a'.repeat(513), email, policy), 'password_too_long');
      assert.equal(error.status, 400);
      accepts('a'.repeat(512));
    });

    it('counts bytes, not characters', () => {
      // 😀 is 4 bytes of UTF-8: 128 fit in 512, 129 do not.
      accepts('😀'.repeat(128));
      throwsAuthError(() => assertAcceptablePassword('😀'.repeat(129), email, policy), 'password_too_long');
    });

    it('refuses a 1 MB password as too long, not as anything else', () => {
      throwsAuthError(() => assertAcceptablePassword('a'.repeat(1024 * 1024), email, policy), 'password_too_long');
    });

    it('exceedsPasswordByteCap is true only above maxBytes', () => {
      assert.equal(exceedsPasswordByteCap('a'.repeat(512), policy), false);
      assert.equal(exceedsPasswordByteCap('a'.repeat(513), policy), true);
      assert.equal(exceedsPasswordByteCap('é'.repeat(256), policy), false);
      assert.equal(exceedsPasswordByteCap(`${'é'.repeat(256)}a`, policy), true);
    });
  });

  describe('common passwords', () => {
    it('ships at least the top 10,000, lowercased', () => {
      const list = loadCommonPasswords();
      assert.ok(list.size >= 9_900, `only ${list.size} common passwords loaded`);
      assert.ok(list.has('password'));
      assert.ok(list.has('mailcreated5240'));
      assert.ok(![...list].some((p) => p !== p.toLowerCase()));
    });

    it('refuses a listed password of 15+ characters with password_too_common', () => {
      const error = throwsAuthError(() => assertAcceptablePassword('Mailcreated5240', email, policy), 'password_too_common');
      assert.equal(error.status, 400);
    });

    it('refuses it in any case', () => {
      throwsAuthError(() => assertAcceptablePassword('MAILCREATED5240', email, policy), 'password_too_common');
      throwsAuthError(() => assertAcceptablePassword('mAiLcReAtEd5240', email, policy), 'password_too_common');
      throwsAuthError(() => assertAcceptablePassword('polniypizdec0211', email, policy), 'password_too_common');
    });

    it('refuses it typed in full-width characters (NFKC folds them)', () => {
      throwsAuthError(() => assertAcceptablePassword('ＭＡＩＬＣＲＥＡＴＥＤ５２４０', email, policy), 'password_too_common');
    });

    it('refuses a short listed password with a lower minimum (the MFA policy)', () => {
      const mfaPolicy = { ...policy, minLength: 8 };
      throwsAuthError(() => assertAcceptablePassword('PASSWORD1', email, mfaPolicy), 'password_too_common');
      throwsAuthError(() => assertAcceptablePassword('baseball', email, mfaPolicy), 'password_too_common');
    });

    it('does not refuse a long password just for containing a listed one', () => {
      assert.ok(loadCommonPasswords().has('password'));
      assert.ok(loadCommonPasswords().has('dragon'));
      accepts('password is not my password');
      accepts('dragon dragon dragon');
      accepts('password1234567');
    });
  });

  describe('the email', () => {
    it('refuses the email address itself with password_matches_email', () => {
      const error = throwsAuthError(() => assertAcceptablePassword(email, email, policy), 'password_matches_email');
      assert.equal(error.status, 400);
    });

    it('refuses the email in another case or with surrounding spaces', () => {
      throwsAuthError(() => assertAcceptablePassword('Alice.Liddell@Example.COM', email, policy), 'password_matches_email');
      throwsAuthError(() => assertAcceptablePassword(`  ${email}  `, email, policy), 'password_matches_email');
    });

    it('refuses the local part alone when it is long enough', () => {
      const longEmail = 'wonderland.alice.liddell@example.com';
      throwsAuthError(() => assertAcceptablePassword('Wonderland.Alice.Liddell', longEmail, policy), 'password_matches_email');
    });

    it('accepts a password that merely contains the email', () => {
      accepts(`${email} is my login`);
    });
  });

  describe('normalizePassword', () => {
    it('applies NFKC, keeping case', () => {
      assert.equal(normalizePassword('ＡｂＣ'), 'AbC');
      assert.equal(normalizePassword('cafe\u0301'), 'caf\u00e9');
      assert.notEqual(normalizePassword('Secret'), normalizePassword('secret'));
    });
  });
});
