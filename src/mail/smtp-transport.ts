import type { ConnectionOptions } from 'node:tls';
import type { Transporter } from 'nodemailer';
import type { MailMessage } from '../core/ports.ts';

/** Where a rendered mail goes: SMTP, the dev outbox, or both. */
export interface MailTransport {
  deliver(message: MailMessage): Promise<void>;
  close(): void;
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** starttls: upgrade required (a server without STARTTLS is refused); implicit: TLS from the first byte; none: plain text. */
  tls: 'starttls' | 'implicit' | 'none';
  user: string;
  password: string;
  from: string;
  /** Extra TLS options (a private CA, for tests); certificates are always verified. */
  tlsOptions?: ConnectionOptions;
}

/**
 * SMTP delivery through nodemailer. Timeouts are short so a stuck server cannot pile up
 * deliveries; the queue in front of it retries. Nothing here ever runs inside a request.
 * nodemailer (~3 MB of heap) is loaded with the first mail, not at start-up: most processes
 * that build a mailer (every server start, every CLI command) send none.
 */
export function createSmtpTransport(settings: SmtpSettings): MailTransport {
  let transporter: Promise<Transporter> | undefined;
  const connect = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.tls === 'implicit',
      requireTLS: settings.tls === 'starttls',
      ignoreTLS: settings.tls === 'none',
      ...(settings.user === '' ? {} : { auth: { user: settings.user, pass: settings.password } }),
      tls: { ...settings.tlsOptions, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
      // nodemailer's own logging would print message contents (links, codes): keep it off.
      logger: false,
      debug: false,
    });
  };
  return {
    async deliver(message) {
      transporter ??= connect();
      await (await transporter).sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
    },
    close() {
      void transporter?.then((opened) => opened.close(), () => {});
    },
  };
}
