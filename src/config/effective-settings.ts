import type { GatehouseConfig } from './load-config.ts';
import { settings } from './settings.ts';

/** One setting as the console's Settings page shows it. */
export interface EffectiveSetting {
  path: string;
  env: string;
  value: string;
  secret: boolean;
}

export const redactedMark = '[redacted]';

function valueAt(config: unknown, path: string): unknown {
  let node: unknown = config;
  for (const part of path.split('.')) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

// A URL's password (postgres://user:password@host/db) is as secret as any secret setting.
function withoutPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, `$1:${redactedMark}@`);
}

function display(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => withoutPassword(String(v))).join(', ');
  return withoutPassword(String(value));
}

/**
 * Every setting as it is in effect, for the operator console: a secret setting (the server
 * secret, the Redis URL, provider client secrets, the SMTP password) shows only the mark, never
 * its value or its length, and a password inside any URL is replaced by the mark too.
 */
export function effectiveSettings(config: GatehouseConfig): EffectiveSetting[] {
  return settings.map((s) => ({ path: s.path, env: s.env, secret: s.secret === true, value: s.secret === true ? redactedMark : display(valueAt(config, s.path)) }));
}
