import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { openPasskeyBench, runPasskeyBatch, type PasskeyWorkKind } from './lib/passkey-bench.ts';

/**
 * `node bench/wal-pages.ts [--kind passkey-login] [--batches 4]`: what the passkey benchmark's
 * commits write to SQLite's WAL, page by page. Runs `--batches` batches of the bench's work (10
 * lanes of 30, as bench/baselines/passkeys.ts), reading the WAL file itself after each one: every frame is one
 * page written at a COMMIT (4 KB plus a 24-byte header), and a frame with a database size in its
 * header ends a commit. Each page is named by the B-tree that holds it now (SQLite's dbstat), so
 * the table prints frames per commit and per operation for each table and index: the cost of a
 * commit, and of a checkpoint that copies those pages into the database file later. Run it in two
 * checkouts to compare schemas (the numbers move by ~10% from run to run).
 */
const { values: flags } = parseArgs({
  options: {
    kind: { type: 'string', default: 'passkey-login' },
    batches: { type: 'string', default: '4' },
  },
});
const kind = flags.kind as PasskeyWorkKind;
const batches = Number(flags.batches);
const frameBytes = 24 + 4096;

const bench = await openPasskeyBench(10);
const walPath = readdirSync('/proc/self/fd')
  .map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return '';
    }
  })
  .find((target) => target.endsWith('.db-wal'));
if (walPath === undefined) throw new Error('no WAL file open');
/**
 * The frames of the WAL's current generation from frame `from` on: those whose salt is the
 * header's. Once a checkpoint has copied every frame, the next write starts the WAL over (new
 * salt, frames from the start); a read transaction held open on another connection during each
 * batch keeps its frames from being copied, so the WAL cannot start over before it is read.
 */
function newFrames(from: { salt: string; count: number }): { salt: string; count: number; pages: number[] } {
  const wal = readFileSync(walPath as string);
  const salt = wal.subarray(16, 24).toString('hex');
  const pages: number[] = [];
  let count = 0;
  for (let offset = 32; offset + frameBytes <= wal.length && wal.subarray(offset + 8, offset + 16).toString('hex') === salt; offset += frameBytes) {
    if (salt !== from.salt || count >= from.count) pages.push(wal.readUInt32BE(offset), wal.readUInt32BE(offset + 4));
    count += 1;
  }
  return { salt, count, pages };
}

let operations = 0;
let seen = { salt: '', count: 0 };
const written = new Map<number, number>();
let total = 0;
let commits = 0;
const holder = new DatabaseSync(walPath.replace(/-wal$/, ''), { readOnly: true });
const [hold, release] = [holder.prepare('begin'), holder.prepare('commit')];
const snapshot = holder.prepare('select count(*) from users');
for (let i = 0; i < batches; i += 1) {
  const batch = await bench.batch(kind, 30);
  hold.run();
  snapshot.get();
  seen = newFrames(seen);
  operations += await runPasskeyBatch(batch);
  const read = newFrames(seen);
  release.run();
  seen = { salt: read.salt, count: read.count };
  for (let j = 0; j < read.pages.length; j += 2) {
    const page = read.pages[j] as number;
    written.set(page, (written.get(page) ?? 0) + 1);
    total += 1;
    if (read.pages[j + 1] !== 0) commits += 1;
  }
}

holder.close();

// Each page named by the B-tree that holds it now.
const db = new DatabaseSync(walPath.replace(/-wal$/, ''), { readOnly: true });
const owner = new Map<number, string>();
for (const row of db.prepare('select name, pageno, pagetype from dbstat').all() as Array<{ name: string; pageno: number; pagetype: string }>) {
  owner.set(row.pageno, row.pageno === 1 ? 'page 1 (header, schema root)' : `${row.name} (${row.pagetype})`);
}
db.close();
const frames = new Map<string, number>();
for (const [page, count] of written) {
  const name = owner.get(page) ?? `page ${page} (free now)`;
  frames.set(name, (frames.get(name) ?? 0) + count);
}
await bench.close();

console.log(`${kind}: ${operations} operations, ${commits} commits (${(commits / operations).toFixed(3)} per operation), ${total} WAL frames`);
console.log(`${'B-tree (page type)'.padEnd(48)} ${'frames/commit'.padStart(13)} ${'frames/op'.padStart(10)}`);
for (const [name, count] of [...frames].sort((a, b) => b[1] - a[1])) {
  if (count / commits < 0.02) continue;
  console.log(`${name.padEnd(48)} ${(count / commits).toFixed(2).padStart(13)} ${(count / operations).toFixed(3).padStart(10)}`);
}
console.log(`${'all'.padEnd(48)} ${(total / commits).toFixed(2).padStart(13)} ${(total / operations).toFixed(3).padStart(10)}  (${((total * frameBytes) / operations).toFixed(0)} bytes of WAL per operation)`);
