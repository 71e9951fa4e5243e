import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { passwordResetMail, verifyEmailMail } from '../../src/core/mail/templates.ts';
import { createMailQueue } from '../../src/mail/mail-queue.ts';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import { linkIn, startSmtpCapture, type SmtpCapture } from '../support/smtp-capture.ts';

const branding = { productName: 'Acme <Accounts>', publicUrl: 'https://auth.example.com' };

describe('SMTP transport (nodemailer) against a real SMTP server on loopback', () => {
  let smtp: SmtpCapture;
  before(async () => {
    smtp = await startSmtpCapture();
  });
  after(() => smtp.close());

  it('delivers the text and HTML parts with the configured From', async () => {
    const transport = createSmtpTransport({ host: smtp.host, port: smtp.port, tls: 'none', user: '', password: '', from: 'Acme <no-reply@acme.example>' });
    try {
      await transport.deliver(verifyEmailMail(branding, 'ada@example.com', 'tok_123', 1440));
    } finally {
      transport.close();
    }
    const mail = await smtp.next('ada@example.com', 'Confirm your email address');
    assert.equal(mail.from, 'no-reply@acme.example');
    assert.equal(mail.subject, 'Confirm your email address · Acme <Accounts>');
    assert.equal(linkIn(mail, '/verify').href, 'https://auth.example.com/verify?token=tok_123');
    assert.match(mail.html, /href="https:\/\/auth\.example\.com\/verify\?token=tok_123"/);
    assert.match(mail.html, /Acme &lt;Accounts&gt;/, 'the product name is escaped in HTML');
    assert.match(mail.text, /24 hours/);
  });

  it('through the queue: enqueue returns before anything is sent, the mail arrives afterwards', async () => {
    const transport = createSmtpTransport({ host: smtp.host, port: smtp.port, tls: 'none', user: '', password: '', from: 'no-reply@acme.example' });
    const failures: unknown[] = [];
    const queue = createMailQueue({ transports: [transport], onFailure: (f) => failures.push(f) });
    const before = smtp.mails.length;
    queue.enqueue(passwordResetMail(branding, 'queued@example.com', 'tok_reset', 30));
    assert.equal(smtp.mails.length, before, 'nothing is delivered synchronously');
    await queue.idle();
    const mail = await smtp.next('queued@example.com', 'Reset your password');
    assert.equal(linkIn(mail, '/reset').searchParams.get('token'), 'tok_reset');
    assert.deepEqual(failures, []);
    await queue.close();
  });

  it('tls=starttls refuses a server that does not offer STARTTLS (no plain-text fallback) (SEC-94)', async () => {
    const transport = createSmtpTransport({ host: smtp.host, port: smtp.port, tls: 'starttls', user: '', password: '', from: 'no-reply@acme.example' });
    const before = smtp.mails.length;
    try {
      await assert.rejects(transport.deliver(verifyEmailMail(branding, 'plain@example.com', 't', 60)));
    } finally {
      transport.close();
    }
    assert.equal(smtp.mails.length, before, 'nothing was sent in the clear');
  });
});
