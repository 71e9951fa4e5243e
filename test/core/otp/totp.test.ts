// The OTP path Gatehouse uses (core/otp/totp.ts over otpauth), against the RFC test vectors,
// and docs/security.md SEC-41 (steps T-1 and T only) through an injected time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret } from 'otpauth';
import { systemRandom } from '../../../src/core/clock.ts';
import { generateTotpSecret, matchTotpStep, otpauthUri, totpCodeAt, totpCodeAtStep, totpStep, type TotpParameters } from '../../../src/core/otp/totp.ts';

const base32 = (ascii: string): string => Secret.fromLatin1(ascii).base32;

describe('RFC 4226 Appendix D (HOTP) through totpCodeAtStep', () => {
  const secret = base32('12345678901234567890');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  const sha1Six: TotpParameters = { algorithm: 'SHA1', digits: 6, periodSeconds: 30 };
  for (const [counter, code] of expected.entries()) {
    it(`count ${counter} -> ${code}`, () => assert.equal(totpCodeAtStep(secret, counter, sha1Six), code));
  }
});

describe('RFC 6238 Appendix B (TOTP) through totpCodeAt and matchTotpStep', () => {
  const secrets = {
    SHA1: base32('12345678901234567890'),
    SHA256: base32('12345678901234567890123456789012'),
    SHA512: base32('1234567890123456789012345678901234567890123456789012345678901234'),
  } as const;
  const table: Array<[number, string, string, string]> = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  for (const [seconds, sha1, sha256, sha512] of table) {
    for (const [algorithm, code] of [['SHA1', sha1], ['SHA256', sha256], ['SHA512', sha512]] as const) {
      it(`T = ${seconds} s, ${algorithm} -> ${code}`, () => {
        const parameters: TotpParameters = { algorithm, digits: 8, periodSeconds: 30 };
        assert.equal(totpCodeAt(secrets[algorithm], seconds * 1000, parameters), code);
        assert.equal(matchTotpStep(secrets[algorithm], code, seconds * 1000, parameters), Math.floor(seconds / 30));
      });
    }
  }
});

describe('SEC-41: the accepted window', () => {
  const secret = generateTotpSecret(systemRandom);
  const nowMs = Date.UTC(2025, 0, 1, 12, 0, 15);
  const step = totpStep(nowMs);
  const code = (offset: number): string => totpCodeAtStep(secret, step + offset);

  it('accepts T and T-1', () => {
    assert.equal(matchTotpStep(secret, code(0), nowMs), step);
    assert.equal(matchTotpStep(secret, code(-1), nowMs), step - 1);
  });

  it('refuses T+1, T+2 and T-2 (the client cannot pick its own time)', () => {
    for (const offset of [1, 2, -2, 3, -3]) {
      if ([code(0), code(-1)].includes(code(offset))) continue; // a 1-in-a-million collision is not a bug
      assert.equal(matchTotpStep(secret, code(offset), nowMs), null, `offset ${offset}`);
    }
  });

  it('refuses malformed codes', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef', ` ${code(0)}`, `${code(0)}\n`]) assert.equal(matchTotpStep(secret, bad, nowMs), null, JSON.stringify(bad));
  });

  it('secrets have 160 bits; the URI is what authenticator apps read', () => {
    assert.equal(Secret.fromBase32(secret).bytes.length, 20);
    const uri = new URL(otpauthUri(secret, 'Acme & Co', 'ada@example.com'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Acme & Co');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
  });
});
