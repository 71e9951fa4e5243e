import { createInterface } from 'node:readline';
import type { ThrottleRuleShape } from '../../../src/core/ports.ts';
import { openSqliteStore } from '../../../src/storage/sql/sqlite.ts';

/**
 * A child process for the SQLite multi-process throttle test (not a test file itself):
 * opens the database at argv[2], prints "ready", waits for one line on stdin so every child
 * starts together, then reserves `count` attempts on each key in `keys` (argv[3], JSON
 * `{ [key]: rule }`) at `nowMs`, `batch` at a time concurrently, and prints a JSON summary.
 *
 * Usage: node throttle-reserve-worker.ts <database> <keys-json> <nowMs> <count> <batch>
 */
const [path, keysJson, nowArg, countArg, batchArg] = process.argv.slice(2);
const keys = JSON.parse(keysJson as string) as Record<string, ThrottleRuleShape>;
const nowMs = Number(nowArg);
const count = Number(countArg);
const batch = Number(batchArg);

const store = await openSqliteStore(path as string, { migrate: 'never' });
const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.once('line', () => resolve()));
process.stdout.write('ready\n');
await go;
lines.close();

const summary: Record<string, { allowed: number; waits: number[]; errors: string[] }> = {};
for (const key of Object.keys(keys)) summary[key] = { allowed: 0, waits: [], errors: [] };
for (let done = 0; done < count; done += batch) {
  await Promise.all(
    Array.from({ length: Math.min(batch, count - done) }).flatMap(() =>
      Object.entries(keys).map(async ([key, rule]) => {
        const entry = summary[key] as (typeof summary)[string];
        try {
          const outcome = await store.throttle.reserve(key, nowMs, rule);
          if (outcome.allowed) entry.allowed++;
          else entry.waits.push(outcome.waitMs);
        } catch (error) {
          entry.errors.push(String(error));
        }
      }),
    ),
  );
}
await store.close();
process.stdout.write(`${JSON.stringify(summary)}\n`);
