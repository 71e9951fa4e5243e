import { sql, type Transaction } from 'kysely';
import type { Store } from '../../core/ports.ts';
import type { RunTransaction } from './node-sqlite-dialect.ts';
import type { Database } from './schema.ts';

interface Member {
  work: (tx: Store) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Runs one savepoint statement on the connection the group's transaction holds. */
export type SavepointStatement = (statement: 'savepoint' | 'release' | 'rollback to') => Promise<void>;

/** Through kysely: works with any dialect. */
const viaKysely =
  (trx: Transaction<Database>): SavepointStatement =>
  async (statement) => {
    await sql.raw(statement === 'savepoint' ? 'savepoint group_member' : `${statement} savepoint group_member`).execute(trx);
  };

/**
 * Group commit for a single-writer database (SQLite). Each COMMIT writes the transaction's
 * pages to the WAL with one write per page: ~80 us of system time here, most of a refresh
 * grant's database cost. Transactions that arrive in the same turn of the event loop are run
 * one after the other inside one database transaction, each in its own SAVEPOINT, and
 * committed together:
 *
 * - atomic per caller: a work that throws is rolled back to its savepoint alone, and its caller
 *   gets its error; the others are unaffected.
 * - durable per caller: every caller's promise settles only after the shared COMMIT, so nothing
 *   is answered before it is committed. If the COMMIT fails, every caller whose work succeeded
 *   gets that failure (and nothing of the group is stored).
 * - isolated as if sequential: works never interleave (the next starts when the previous has
 *   released its savepoint), so each sees exactly the writes of those before it, as it would
 *   after their commits.
 *
 * Transactions were already serialized (kysely holds the one writer connection for each), so
 * grouping changes no ordering: it only shares the COMMIT.
 */
export function createGroupCommit(runTransaction: RunTransaction, bind: (trx: Transaction<Database>) => Store, direct?: SavepointStatement) {
  let queue: Member[] = [];
  let scheduled = false;

  const runMember = async (savepoint: SavepointStatement, tx: Store, member: Member): Promise<Outcome> => {
    await savepoint('savepoint');
    try {
      const value = await member.work(tx);
      await savepoint('release');
      return { ok: true, value };
    } catch (error) {
      try {
        await savepoint('rollback to');
        await savepoint('release');
      } catch {
        // The database cannot even roll back (closed, I/O error): the whole group fails with the cause.
        throw error;
      }
      return { ok: false, error };
    }
  };

  const drain = async (): Promise<void> => {
    const group = queue;
    queue = [];
    const outcomes: Outcome[] = [];
    try {
      await runTransaction(async (trx) => {
        const tx = bind(trx);
        const only = group.length === 1 ? group[0] : undefined;
        if (only !== undefined) {
          // A group of one needs no savepoint: if its work throws, the transaction rolls back
          // as a whole and the caller gets its error (two statements fewer per lone transaction).
          outcomes.push({ ok: true, value: await only.work(tx) });
          return;
        }
        const savepoint = direct ?? viaKysely(trx);
        for (const member of group) outcomes.push(await runMember(savepoint, tx, member));
      });
      group.forEach((member, i) => {
        const outcome = outcomes[i] as Outcome;
        if (outcome.ok) member.resolve(outcome.value);
        else member.reject(outcome.error);
      });
    } catch (error) {
      group.forEach((member, i) => {
        const outcome = outcomes[i];
        member.reject(outcome !== undefined && !outcome.ok ? outcome.error : error);
      });
    } finally {
      if (queue.length > 0) setImmediate(() => void drain());
      else scheduled = false;
    }
  };

  return {
    /** Runs `work` in the next group; settles after the group's COMMIT. */
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          // The check phase of the NEXT turn of the event loop, after two rounds of I/O
          // callbacks: every request parsed in this turn and the next one, and every signature
          // check or hash finished on the thread pool meanwhile, has queued its transaction by
          // then. Under load the groups grow (ten passkey logins in flight: 0.15 instead of
          // 0.22 COMMITs per login), and a COMMIT is most of a transaction's cost (~50 us for a
          // group's pages here). A lone transaction on an idle server waits one loop turn more.
          setImmediate(() => setImmediate(() => void drain()));
        }
      });
    },
  };
}
