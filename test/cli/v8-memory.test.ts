import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** In a fresh process: allocates like a busy server (short bursts, the event loop turning between them); returns the young generation's size in MB. */
async function youngGenerationAfterLoad(capMb: number | null): Promise<number> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { capYoungGeneration } from './src/cli/v8-memory.ts';
    ${capMb === null ? '' : `capYoungGeneration(${capMb} * 1024 * 1024);`}
    let kept = [];
    for (let burst = 0; burst < 250; burst++) {
      for (let i = 0; i < 10_000; i++) {
        kept.push({ i, s: 'x' + i });
        if (kept.length > 100_000) kept = [];
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    console.log(getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1048576);
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { cwd: join(import.meta.dirname, '..', '..'), timeout: 120_000 });
  return Number(stdout.trim());
}

describe('capYoungGeneration', () => {
  it("keeps V8's young generation within the cap (one doubling past it at most) under a steady allocation load, where it otherwise grows past it", async () => {
    const [uncapped, capped] = [await youngGenerationAfterLoad(null), await youngGenerationAfterLoad(8)];
    assert.ok(uncapped > 32, `without the cap the young generation grew to ${uncapped} MB only: the load shows nothing`);
    // At most one doubling past the cap: the check runs after a collection, not before it.
    assert.ok(capped <= 16, `capped at 8 MB, the young generation is ${capped} MB`);
  });
});
