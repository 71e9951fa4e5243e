import { hkdfSync } from 'node:crypto';
import type { GatehouseConfig } from './config/load-config.ts';
import { effectiveSettings } from './config/effective-settings.ts';
import { webhookKeys } from './core/webhooks/webhook-secret.ts';
import type { ConsoleConfig } from './http/app-config.ts';
import type { MailQueueStats } from './mail/mail-queue.ts';

/**
 * What the operator console needs beyond the core (main.ts passes it to the app): the mail queue,
 * the effective settings (secrets redacted), the keys that seal webhook signing secrets (the
 * CLI's), and the keys of the cookie that shows a new secret once, all derived from
 * GATEHOUSE_SECRET (one per server secret, the first seals).
 */
export function consoleConfig(config: GatehouseConfig, mailQueue: () => MailQueueStats): ConsoleConfig {
  return {
    mailQueue,
    settings: effectiveSettings(config),
    webhookKeys: webhookKeys(config.secrets),
    shownOnceKeys: config.secrets.map((secret) => new Uint8Array(hkdfSync('sha256', secret, 'gatehouse', 'console-shown-once v1', 32))),
  };
}
