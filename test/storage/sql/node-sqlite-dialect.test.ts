import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Kysely, sql, type Transaction } from 'kysely';
import { nodeSqliteWriter } from '../../../src/storage/sql/node-sqlite-dialect.ts';
import type { Database } from '../../../src/storage/sql/schema.ts';

/** A writer on an in-memory database with two tables, a child row needing its parent (checked at COMMIT when deferred). */
function open() {
  const database = new DatabaseSync(':memory:', { enableForeignKeyConstraints: true });
  database.exec('create table parent (id text primary key); create table child (id text primary key, parent_id text not null references parent (id))');
  const writer = nodeSqliteWriter(database);
  const db = new Kysely<Database>({ dialect: writer.dialect });
  const ids = (table: 'parent' | 'child'): string[] => (database.prepare(`select id from ${table} order by id`).all() as Array<{ id: string }>).map((row) => row.id);
  const insert = (into: Kysely<Database> | Transaction<Database>, table: 'parent' | 'child', id: string) => sql`insert into ${sql.table(table)} (id) values (${id})`.execute(into);
  return { database, writer, db, ids, insert };
}

describe('node:sqlite writer: transactions with prepared BEGIN and COMMIT', () => {
  it('commits the work of a transaction, and rolls it all back when the work throws', async () => {
    const { writer, db, ids, insert } = open();
    assert.equal(await writer.transaction(async (trx) => (await insert(trx, 'parent', 'p1'), 'done')), 'done');
    await assert.rejects(
      writer.transaction(async (trx) => {
        await insert(trx, 'parent', 'p2');
        throw new Error('refused');
      }),
      /refused/,
    );
    assert.deepEqual(ids('parent'), ['p1']);
    await db.destroy();
  });

  it('a kysely query from outside waits for the writer: it never runs between BEGIN and COMMIT, so a rollback cannot take it along', async () => {
    const { writer, db, ids, insert } = open();
    let inside!: () => void;
    const entered = new Promise<void>((resolve) => (inside = resolve));
    const transaction = writer.transaction(async (trx) => {
      await insert(trx, 'parent', 'in-transaction');
      inside();
      await sleep(20); // the outside insert is queued meanwhile
      throw new Error('rolled back');
    });
    await entered;
    const outside = insert(db, 'parent', 'outside');
    await assert.rejects(transaction, /rolled back/);
    await outside;
    assert.deepEqual(ids('parent'), ['outside']);
    await db.destroy();
  });

  it('transactions run one after the other, each seeing the commits of those before it', async () => {
    const { writer, db, ids } = open();
    const counts = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        writer.transaction(async (trx) => {
          const before = await sql<{ n: number }>`select count(*) as n from parent`.execute(trx);
          await sleep(1);
          await sql`insert into parent (id) values (${id})`.execute(trx);
          return before.rows[0]?.n;
        }),
      ),
    );
    assert.deepEqual(counts, [0, 1, 2]);
    assert.deepEqual(ids('parent'), ['a', 'b', 'c']);
    await db.destroy();
  });

  it('the Transaction handed to the work fails once the transaction has ended, instead of writing outside it', async () => {
    const { writer, db, ids, insert } = open();
    let kept: Transaction<Database> | undefined;
    await writer.transaction(async (trx) => {
      kept = trx;
    });
    await assert.rejects(insert(kept as Transaction<Database>, 'parent', 'late'), /already ended/);
    assert.deepEqual(ids('parent'), []);
    await db.destroy();
  });

  it('a failed COMMIT is rolled back: the caller gets the error, nothing is stored, and the writer serves the next transaction', async () => {
    const { database, writer, db, ids, insert } = open();
    await assert.rejects(
      writer.transaction(async (trx) => {
        await sql`pragma defer_foreign_keys = on`.execute(trx);
        await insert(trx, 'parent', 'p1');
        await sql`insert into child (id, parent_id) values ('c1', 'missing')`.execute(trx);
      }),
      /FOREIGN KEY/,
    );
    assert.equal(database.isTransaction, false);
    assert.deepEqual(ids('parent'), []);
    await writer.transaction(async (trx) => insert(trx, 'parent', 'p2'));
    assert.deepEqual(ids('parent'), ['p2']);
    await db.destroy();
  });

  it("kysely's own db.transaction() runs on the same lock and statements", async () => {
    const { writer, db, ids, insert } = open();
    await Promise.all([db.transaction().execute((trx) => insert(trx, 'parent', 'k1')), writer.transaction((trx) => insert(trx, 'parent', 'w1'))]);
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await insert(trx, 'parent', 'k2');
        throw new Error('no');
      }),
    );
    assert.deepEqual(ids('parent'), ['k1', 'w1']);
    await db.destroy();
  });
});
