import { createMailQueue, type MailQueue } from '../../src/mail/mail-queue.ts';
import { createSmtpTransport } from '../../src/mail/smtp-transport.ts';
import type { TestCoreOverrides } from './core-deps.ts';
import { createTestApp, type TestApp } from './http-app.ts';
import { startSmtpCapture, type SmtpCapture } from './smtp-capture.ts';

export interface MailTestApp extends TestApp {
  smtp: SmtpCapture;
  queue: MailQueue;
}

/**
 * The HTTP app whose mails really go out: through the production queue and nodemailer SMTP
 * transport to an `smtp-server` on loopback. Tests read links and codes from what it received.
 */
export async function createMailTestApp(overrides: TestCoreOverrides & Parameters<typeof createTestApp>[0] = {}): Promise<MailTestApp> {
  const smtp = await startSmtpCapture();
  const failures: unknown[] = [];
  const queue = createMailQueue({
    transports: [createSmtpTransport({ host: smtp.host, port: smtp.port, tls: 'none', user: '', password: '', from: 'Gatehouse <no-reply@auth.test>' })],
    onFailure: (failure) => failures.push(failure),
    retryDelaysMs: [],
  });
  const t = await createTestApp({ ...overrides, forwardMailTo: queue });
  return {
    ...t,
    smtp,
    queue,
    async close() {
      await t.close();
      await queue.close();
      await smtp.close();
      if (failures.length > 0) throw new Error(`mail delivery failed in this test: ${JSON.stringify(failures)}`);
    },
  };
}
