import { PostgresAdapter, type Kysely } from 'kysely';

/** One migration history serves every dialect; these are the few types that differ. */
export const bigintType = 'bigint';

export function binaryType(db: Kysely<any>): 'bytea' | 'blob' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'bytea' : 'blob';
}
