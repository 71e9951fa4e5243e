import type { Logger } from 'pino';
import type { GatehouseConfig } from '../config/load-config.ts';
import type { Clock, MailMessage } from '../core/ports.ts';
import { createDevOutbox, type DevOutbox } from './dev-outbox.ts';
import { createMailQueue, type MailQueue } from './mail-queue.ts';
import { createSmtpTransport, type MailTransport } from './smtp-transport.ts';

export interface Mailer {
  queue: MailQueue;
  /** Dev mode only: the mails kept for /dev/mail. */
  devOutbox: DevOutbox | null;
  /** A start-up warning when no mail can be delivered, else null. */
  warning: string | null;
}

/** Told of each mail sent, each failed attempt and each mail given up on (the metrics, src/metrics/gatehouse-metrics.ts). */
export interface MailObserver {
  sent(kind: MailMessage['kind']): void;
  failed(kind: MailMessage['kind'], final: boolean): void;
}

/**
 * The mail transports the configuration asks for: SMTP when a host is set, and the dev outbox
 * in dev mode (both in dev mode with a host). Failed deliveries are logged by kind, never with
 * the mail's content (it carries live links and codes).
 */
export function createMailer(config: Pick<GatehouseConfig, 'dev' | 'mail'>, logger: Logger, clock: Clock, print: (line: string) => void = (line) => process.stdout.write(`${line}\n`), observer?: MailObserver): Mailer {
  const transports: MailTransport[] = [];
  if (config.mail.smtp.host !== '') transports.push(createSmtpTransport({ ...config.mail.smtp, from: config.mail.from }));
  const devOutbox = config.dev ? createDevOutbox({ nowMs: () => clock.nowMs(), print }) : null;
  if (devOutbox !== null) transports.push(devOutbox);
  const warning = transports.length === 0 ? 'no SMTP server configured (GATEHOUSE_SMTP_HOST): verification, reset and code mails cannot be sent' : null;
  const queue = createMailQueue({
    transports,
    ...(observer === undefined ? {} : { onDelivered: (kind: MailMessage['kind']) => observer.sent(kind) }),
    onFailure: ({ kind, attempt, final, error }) => {
      observer?.failed(kind, final);
      logger[final ? 'error' : 'warn']({ mailKind: kind, attempt, err: error instanceof Error ? { message: error.message, code: (error as { code?: unknown }).code } : String(error) }, final ? 'mail not delivered; giving up' : 'mail delivery failed; will retry');
    },
  });
  if (warning !== null) {
    return {
      queue: {
        ...queue,
        enqueue: (message) => logger.error({ mailKind: message.kind }, 'mail dropped: no SMTP server configured'),
      },
      devOutbox,
      warning,
    };
  }
  return { queue, devOutbox, warning };
}
