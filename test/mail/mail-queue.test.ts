import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MailMessage } from '../../src/core/ports.ts';
import { createMailQueue } from '../../src/mail/mail-queue.ts';
import type { MailTransport } from '../../src/mail/smtp-transport.ts';

const message: MailMessage = { kind: 'password_reset', to: 'a@example.com', subject: 's', text: 'https://x/reset?token=SECRET', html: '' };

describe('mail queue', () => {
  it('retries a failing transport, reports each failure by kind only, and delivers once it works', async () => {
    let calls = 0;
    const delivered: MailMessage[] = [];
    const flaky: MailTransport = {
      async deliver(m) {
        calls++;
        if (calls < 3) throw new Error('421 try later');
        delivered.push(m);
      },
      close() {},
    };
    const failures: Array<{ kind: string; attempt: number; final: boolean }> = [];
    const queue = createMailQueue({ transports: [flaky], onFailure: ({ kind, attempt, final }) => failures.push({ kind, attempt, final }), retryDelaysMs: [0, 0, 0] });
    queue.enqueue(message);
    await queue.idle();
    assert.equal(calls, 3);
    assert.deepEqual(delivered, [message]);
    assert.deepEqual(failures, [
      { kind: 'password_reset', attempt: 1, final: false },
      { kind: 'password_reset', attempt: 2, final: false },
    ]);
    assert.ok(!JSON.stringify(failures).includes('SECRET'));
  });

  it('gives up after the last retry, and a broken transport never blocks the others', async () => {
    const delivered: MailMessage[] = [];
    const broken: MailTransport = { deliver: () => Promise.reject(new Error('down')), close() {} };
    const working: MailTransport = { deliver: async (m) => void delivered.push(m), close() {} };
    const failures: Array<{ attempt: number; final: boolean }> = [];
    const queue = createMailQueue({ transports: [broken, working], onFailure: ({ attempt, final }) => failures.push({ attempt, final }), retryDelaysMs: [0] });
    queue.enqueue(message);
    assert.equal(queue.stats().pending, 2, 'one delivery per transport is under way');
    await queue.idle();
    assert.deepEqual(delivered, [message]);
    assert.deepEqual(failures, [{ attempt: 1, final: false }, { attempt: 2, final: true }]);
    assert.deepEqual(queue.stats(), { pending: 0, failed: 1 }, 'what the console dashboard shows');
  });

  it('after close, a mail is refused and reported, not silently kept', async () => {
    let closed = 0;
    const queue = createMailQueue({ transports: [{ deliver: async () => {}, close: () => void closed++ }], onFailure: (f) => failures.push(f.final), retryDelaysMs: [] });
    const failures: boolean[] = [];
    await queue.close();
    queue.enqueue(message);
    assert.deepEqual(failures, [true]);
    assert.equal(closed, 1);
  });
});
