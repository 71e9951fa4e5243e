import type { MailKind, MailMessage } from '../core/ports.ts';
import type { MailTransport } from './smtp-transport.ts';

export interface OutboxEntry {
  id: number;
  atMs: number;
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface DevOutbox extends MailTransport {
  /** Newest first. */
  list(): OutboxEntry[];
  get(id: number): OutboxEntry | undefined;
}

/** The links and one-time codes of a mail's text part, for the console. */
export function linksAndCodes(text: string): string[] {
  const links = text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
  const codes = (text.match(/^ {4}(\d{6,8})$/gm) ?? []).map((line) => `code ${line.trim()}`);
  return [...codes, ...links];
}

/**
 * Dev mode's mailbox: every mail is kept in memory (the newest `limit`) for /dev/mail, and its
 * links and codes are printed to the console, so a fresh clone works with no mail server.
 * Never used outside dev mode: it holds live tokens.
 */
export function createDevOutbox(options: { nowMs: () => number; print: (line: string) => void; limit?: number }): DevOutbox {
  const limit = options.limit ?? 200;
  const entries: OutboxEntry[] = [];
  let nextId = 1;
  return {
    async deliver(message) {
      const entry: OutboxEntry = { id: nextId++, atMs: options.nowMs(), ...message };
      entries.unshift(entry);
      entries.length = Math.min(entries.length, limit);
      const lines = linksAndCodes(message.text).map((item) => `      ${item}`);
      options.print([`  [dev mail #${entry.id}] to ${message.to}: ${message.subject}`, ...lines].join('\n'));
    },
    close() {},
    list: () => [...entries],
    get: (id) => entries.find((e) => e.id === id),
  };
}
