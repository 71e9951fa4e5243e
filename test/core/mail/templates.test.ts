import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicLink, renderMail } from '../../../src/core/mail/render-mail.ts';
import { emailCodeMail, passwordResetMail, signupExistingAccountMail, verifyEmailMail } from '../../../src/core/mail/templates.ts';

const branding = { productName: 'Acme', publicUrl: 'https://auth.example.com' };

describe('mail templates', () => {
  it('every link is under the configured public URL, with the token encoded (SEC-93)', () => {
    const mail = passwordResetMail(branding, 'a@example.com', 'a+b/c=&x', 30);
    assert.ok(mail.text.includes('https://auth.example.com/reset?token=a%2Bb%2Fc%3D%26x'), mail.text);
    assert.ok(mail.html.includes('href="https://auth.example.com/reset?token=a%2Bb%2Fc%3D%26x"'), mail.html);
    assert.match(mail.text, /30 minutes/);
  });

  it('publicLink refuses a path that names another host (SEC-93)', () => {
    assert.throws(() => publicLink('https://auth.example.com', '//evil.example/reset'));
    assert.equal(publicLink('https://auth.example.com', '/verify', { token: 't' }), 'https://auth.example.com/verify?token=t');
  });

  it('escapes every value in the HTML part and says the same in text and HTML (SEC-93)', () => {
    const mail = renderMail({ productName: '<b>P</b>', publicUrl: 'https://auth.example.com' }, {
      kind: 'verify_email',
      to: 'a@example.com',
      subject: 'S',
      blocks: [{ text: '<script>alert(1)</script>' }, { code: '123456' }],
      footer: 'f & g',
    });
    assert.ok(!mail.html.includes('<script>'));
    assert.ok(mail.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(mail.html.includes('&lt;b&gt;P&lt;/b&gt;'));
    assert.ok(mail.text.includes('<script>alert(1)</script>'), 'text is plain text');
    assert.ok(mail.text.includes('    123456'));
  });

  it('uses the product name, and each kind of mail has its own subject', () => {
    const subjects = [
      verifyEmailMail(branding, 'a@example.com', 't', 1440),
      signupExistingAccountMail(branding, 'a@example.com'),
      passwordResetMail(branding, 'a@example.com', 't', 30),
      emailCodeMail(branding, 'a@example.com', '1234567', 'login', 10),
    ].map((m) => m.subject);
    assert.equal(new Set(subjects).size, subjects.length);
    for (const s of subjects) assert.ok(s.endsWith(' · Acme'), s);
    // SEC-112: the code is in the body only; subjects show on lock screens.
    assert.doesNotMatch(subjects[3] ?? '', /1234567/);
  });
});
