import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One mail as the SMTP server received it, decoded by mailparser. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The raw message as it crossed the wire. */
  raw: string;
}

export interface SmtpCapture {
  host: string;
  port: number;
  mails: ReceivedMail[];
  /** Resolves with the first received mail (past or future) for which `match` holds. Event-driven, no polling. */
  waitFor(match: (mail: ReceivedMail) => boolean): Promise<ReceivedMail>;
  /** The newest mail to `to` whose subject includes `subject`, waiting for it if needed. */
  next(to: string, subject: string, after?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on loopback, for tests: it accepts every
 * mail without authentication or TLS and keeps it, parsed. Tests read links and codes from
 * what it received, exactly as a person would from their inbox.
 *
 * @example
 * const smtp = await startSmtpCapture();
 * const mail = await smtp.next('ada@example.com', 'Confirm');
 * const link = linkIn(mail, '/verify');
 */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<{ match: (mail: ReceivedMail) => boolean; resolve: (mail: ReceivedMail) => void }>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            const mail: ReceivedMail = {
              from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              raw,
            };
            mails.push(mail);
            for (const waiter of [...waiters]) {
              if (waiter.match(mail)) {
                waiters.delete(waiter);
                waiter.resolve(mail);
              }
            }
            callback();
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  const waitFor = (match: (mail: ReceivedMail) => boolean): Promise<ReceivedMail> => {
    const found = mails.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve) => waiters.add({ match, resolve }));
  };
  return {
    host: '127.0.0.1',
    port,
    mails,
    waitFor,
    next: (to, subject, after = 0) => waitFor((m) => mails.indexOf(m) >= after && m.to.includes(to) && m.subject.includes(subject)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The first link in the mail's text whose path is `pathname`. */
export function linkIn(mail: ReceivedMail, pathname: string): URL {
  for (const match of mail.text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const url = new URL(match[0]);
    if (url.pathname === pathname) return url;
  }
  throw new Error(`no ${pathname} link in the mail "${mail.subject}":\n${mail.text}`);
}

/** The one-time code in the mail's text (a line of 6 to 8 digits). */
export function codeIn(mail: ReceivedMail): string {
  const match = /^ {4}(\d{6,8})$/m.exec(mail.text);
  if (match?.[1] === undefined) throw new Error(`no code in the mail "${mail.subject}":\n${mail.text}`);
  return match[1];
}
