import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emailCodeMail, verifyEmailMail } from '../../src/core/mail/templates.ts';
import { createDevOutbox } from '../../src/mail/dev-outbox.ts';

const branding = { productName: 'Gatehouse', publicUrl: 'http://localhost:3000' };

describe('dev outbox', () => {
  it('keeps mails newest first and prints their links and codes to the console', async () => {
    const printed: string[] = [];
    const outbox = createDevOutbox({ nowMs: () => 42, print: (line) => printed.push(line), limit: 2 });
    await outbox.deliver(verifyEmailMail(branding, 'a@example.com', 'tokA', 60));
    await outbox.deliver(emailCodeMail(branding, 'b@example.com', '123456', 'login', 10));
    await outbox.deliver(verifyEmailMail(branding, 'c@example.com', 'tokC', 60));
    assert.deepEqual(outbox.list().map((m) => m.to), ['c@example.com', 'b@example.com'], 'the oldest beyond the limit is dropped');
    assert.equal(outbox.get(2)?.kind, 'email_code');
    assert.equal(outbox.get(1), undefined);
    assert.match(printed[0] ?? '', /http:\/\/localhost:3000\/verify\?token=tokA/);
    assert.match(printed[1] ?? '', /code 123456/);
  });
});
