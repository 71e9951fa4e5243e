import { RevocationFeedError } from './revocation-feed-error.ts';
import type { RevocationFeedEntry } from './revocation-feed-options.ts';

/**
 * Reads the JSON of an event. Messages say what is wrong, never echo the data: it is for logs.
 * Unknown members are ignored, so the server can add some without breaking deployed verifiers.
 */
function parseObject(data: string, event: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw new RevocationFeedError('protocol_error', `the data of a ${event} event is not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RevocationFeedError('protocol_error', `the data of a ${event} event is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** `sid`/`jti`: absent, null, or a non-empty string; anything else is not an id a claim could match. */
function optionalId(value: unknown): value is string | undefined | null {
  return value === undefined || value === null || (typeof value === 'string' && value.length > 0);
}

/**
 * @internal The entry of an `event: revocation`:
 * `{ "seq": positive integer, "sid"?: string, "jti"?: string, "expiresAtMs": number }`, with a
 * `sid`, a `jti` or both. Throws a `protocol_error` for anything else: the feed then drops the
 * connection rather than skip a revocation it cannot read.
 */
export function parseRevocationEvent(data: string): RevocationFeedEntry {
  const { seq, sid, jti, expiresAtMs } = parseObject(data, 'revocation');
  const problems: string[] = [];
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) problems.push('seq is not a positive integer');
  if (!optionalId(sid)) problems.push('sid is not a non-empty string');
  if (!optionalId(jti)) problems.push('jti is not a non-empty string');
  if ((sid === undefined || sid === null) && (jti === undefined || jti === null)) problems.push('it has neither sid nor jti');
  if (typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs)) problems.push('expiresAtMs is not a finite number');
  if (problems.length > 0) throw new RevocationFeedError('protocol_error', `unreadable revocation event: ${problems.join('; ')}`);
  return Object.freeze({
    seq: seq as number,
    ...(typeof sid === 'string' ? { sid } : {}),
    ...(typeof jti === 'string' ? { jti } : {}),
    expiresAtMs: expiresAtMs as number,
  });
}

/** @internal The data of `event: ready`, `{ "latest": integer >= 0 }`, sent once the catch-up is over. */
export function parseReadyEvent(data: string): { latest: number } {
  const { latest } = parseObject(data, 'ready');
  if (!Number.isSafeInteger(latest) || (latest as number) < 0) throw new RevocationFeedError('protocol_error', 'unreadable ready event: latest is not an integer >= 0');
  return { latest: latest as number };
}
