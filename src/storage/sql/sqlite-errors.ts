import { StorageUnavailableError } from '../../core/errors.ts';

// SQLite primary result codes that mean "the database cannot serve right now", as opposed to
// a bad statement or a constraint: BUSY, LOCKED, CORRUPT, FULL, CANTOPEN, NOTADB, IOERR.
const unavailableCodes = new Set([5, 6, 10, 11, 13, 14, 26]);

/** Rethrows a driver failure that means the database is unreachable as StorageUnavailableError. */
export function classifySqliteError(error: unknown): never {
  const e = error as { code?: string; errcode?: number; message?: string };
  const unreachable =
    e.code === 'ERR_INVALID_STATE' || (e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' && unavailableCodes.has(e.errcode & 0xff));
  if (unreachable) throw new StorageUnavailableError(`SQLite unavailable: ${e.message ?? 'unknown error'}`, { cause: error });
  throw error;
}
