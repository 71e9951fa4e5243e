import { Readable } from 'node:stream';
import type { AuditEvent } from '../../../core/ports.ts';

const columns = ['time', 'event', 'user_id', 'email', 'ip', 'user_agent', 'actor_id', 'detail'] as const;

/**
 * One CSV cell (RFC 4180: quoted, inner quotes doubled). A value a spreadsheet would run as a
 * formula, one starting with = + - @ or a tab or carriage return, gets a leading apostrophe, so
 * an email or user agent typed by an attacker stays text when an operator opens the export
 * (CSV injection; docs/security.md SEC-275).
 */
export function csvCell(value: string): string {
  const neutral = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${neutral.replace(/"/g, '""')}"`;
}

function values(e: AuditEvent): string[] {
  return [new Date(e.atMs).toISOString(), e.type, e.userId ?? '', e.email ?? '', e.ip, e.userAgent, e.actorId ?? '', e.detail ?? ''];
}

/** The export as CSV, a header then one line per entry, produced as the entries arrive. */
export function auditCsv(entries: AsyncIterable<AuditEvent>): Readable {
  return Readable.from(
    (async function* lines() {
      yield `${columns.join(',')}\r\n`;
      for await (const e of entries) yield `${values(e).map(csvCell).join(',')}\r\n`;
    })(),
    { objectMode: false },
  );
}

/** The export as JSON Lines: one JSON object per entry and line, produced as the entries arrive. */
export function auditJsonLines(entries: AsyncIterable<AuditEvent>): Readable {
  return Readable.from(
    (async function* lines() {
      for await (const e of entries) {
        yield `${JSON.stringify({ time: new Date(e.atMs).toISOString(), event: e.type, userId: e.userId, email: e.email, ip: e.ip, userAgent: e.userAgent, actorId: e.actorId, detail: e.detail })}\n`;
      }
    })(),
    { objectMode: false },
  );
}
