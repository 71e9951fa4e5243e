import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { sql, type Transaction } from 'kysely';
import type { Store } from '../../../src/core/ports.ts';
import { createGroupCommit } from '../../../src/storage/sql/group-commit.ts';
import { nodeSqliteWriter, type RunTransaction } from '../../../src/storage/sql/node-sqlite-dialect.ts';
import type { Database } from '../../../src/storage/sql/schema.ts';

/** A group commit over a real SQLite writer, counting its database transactions; a member's "store" is the kysely Transaction itself. */
function open() {
  const database = new DatabaseSync(':memory:');
  database.exec('create table t (id text primary key)');
  const writer = nodeSqliteWriter(database);
  const groups: number[] = [];
  let members = 0;
  const run: RunTransaction = async (work) => {
    members = 0;
    try {
      return await writer.transaction(work);
    } finally {
      groups.push(members);
    }
  };
  const group = createGroupCommit(run, (trx) => trx as unknown as Store);
  const insert = (id: string) =>
    group.transaction(async (tx) => {
      members += 1;
      await sql`insert into t (id) values (${id})`.execute(tx as unknown as Transaction<Database>);
      return id;
    });
  const ids = (): string[] => (database.prepare('select id from t order by id').all() as Array<{ id: string }>).map((row) => row.id);
  return { group, groups, insert, ids };
}

describe('group commit', () => {
  it('commits the transactions queued in this turn of the event loop and the next one together, in one database transaction', async () => {
    const { groups, insert, ids } = open();
    const first = [insert('a'), insert('b')];
    await new Promise<void>((resolve) => setImmediate(resolve)); // the next turn
    const second = [insert('c')];
    assert.deepEqual(await Promise.all([...first, ...second]), ['a', 'b', 'c']);
    assert.deepEqual(groups, [3]);
    assert.deepEqual(ids(), ['a', 'b', 'c']);
  });

  it('a member that throws is rolled back alone, and its caller alone gets the error', async () => {
    const { group, groups, insert, ids } = open();
    const results = await Promise.allSettled([
      insert('a'),
      group.transaction(async (tx) => {
        await sql`insert into t (id) values ('x')`.execute(tx as unknown as Transaction<Database>);
        throw new Error('refused');
      }),
      insert('a'), // the primary key refuses it: rolled back alone too
      insert('b'),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled'],
    );
    assert.equal(groups.length, 1);
    assert.deepEqual(ids(), ['a', 'b']);
  });

  it('a transaction queued while a group commits runs in the next group', async () => {
    const { groups, insert, ids } = open();
    let late: Promise<string> | undefined;
    const first = insert('a').then((id) => {
      late = insert('b');
      return id;
    });
    await first;
    await late;
    assert.deepEqual(groups, [1, 1]);
    assert.deepEqual(ids(), ['a', 'b']);
  });
});
