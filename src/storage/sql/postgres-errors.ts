import { StorageUnavailableError } from '../../core/errors.ts';

// Socket-level failures: the server is down, restarting, or the network dropped the connection.
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
// SQLSTATEs that mean "cannot serve right now": admin/crash shutdown, starting up, too many
// connections, a statement cancelled by statement_timeout, and the whole class 08 (connection).
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
// node-postgres reports a dropped or timed-out connection with these messages and no code.
const unavailableMessages = [/connection terminated/i, /timeout exceeded when trying to connect/i, /not queryable/i, /query read timeout/i, /connection ended/i];

/** True when a driver error means PostgreSQL cannot be reached or cannot serve, rather than a bad statement. */
export function isPostgresUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return false;
  if (e instanceof StorageUnavailableError) return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (networkCodes.has(code) || unavailableStates.has(code) || code.startsWith('08')) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  return code === '' && unavailableMessages.some((pattern) => pattern.test(message));
}

/** Rethrows a driver failure that means PostgreSQL is unreachable as StorageUnavailableError (answered with 503). */
export function classifyPostgresError(error: unknown): never {
  if (isPostgresUnavailable(error) && !(error instanceof StorageUnavailableError)) {
    throw new StorageUnavailableError(`PostgreSQL unavailable: ${(error as { message?: string }).message ?? 'unknown error'}`, { cause: error });
  }
  throw error;
}

/** A serialization failure or deadlock: the transaction did nothing and may simply be run again. */
export function isPostgresRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}
