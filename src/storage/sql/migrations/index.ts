import type { Migration } from 'kysely';
import * as initial from './0001-initial.ts';

/** Every migration, in order. Names are permanent: kysely records them in the database. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
};
