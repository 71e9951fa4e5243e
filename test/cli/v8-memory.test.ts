import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * In a fresh process: allocates like a busy server (short bursts, the event loop turning between
 * them), or like a quiet one (`slow`: a tenth of that per 20 ms timer tick, so scavenges come
 * hundreds of milliseconds apart, more so on a loaded machine); returns the young generation's size
 * in MB when the load began (after the module loading, whose burst V8 may already have grown it for)
 * and at its end. `paceMs`: capYoungGeneration's second argument (Infinity: grow at any pace).
 */
async function youngGenerationAfterLoad(capMb: number | null, load: 'busy' | 'slow' = 'busy', paceMs?: number): Promise<{ atStartMb: number; finalMb: number }> {
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { capYoungGeneration } from './src/cli/v8-memory.ts';
    const newSpaceMb = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1048576;
    ${capMb === null ? '' : `capYoungGeneration(${capMb} * 1024 * 1024${paceMs === undefined ? '' : `, ${paceMs}`});`}
    const atStartMb = newSpaceMb();
    let kept = [];
    for (let burst = 0; burst < ${load === 'busy' ? 250 : 300}; burst++) {
      for (let i = 0; i < ${load === 'busy' ? 10_000 : 1_000}; i++) {
        kept.push({ i, s: 'x' + i });
        if (kept.length > ${load === 'busy' ? 100_000 : 20_000}) kept = ${load === 'busy' ? '[]' : 'kept.slice(10_000)'};
      }
      await new Promise((resolve) => ${load === 'busy' ? 'setImmediate(resolve)' : 'setTimeout(resolve, 20)'});
    }
    console.log(JSON.stringify({ atStartMb, finalMb: newSpaceMb() }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { cwd: join(import.meta.dirname, '..', '..'), timeout: 120_000 });
  return JSON.parse(stdout.trim()) as { atStartMb: number; finalMb: number };
}

describe('capYoungGeneration', () => {
  it("keeps V8's young generation within the cap (one doubling past it at most) under a steady allocation load, where it otherwise grows past it", async () => {
    const [uncapped, capped] = [(await youngGenerationAfterLoad(null)).finalMb, (await youngGenerationAfterLoad(8)).finalMb];
    assert.ok(uncapped > 32, `without the cap the young generation grew to ${uncapped} MB only: the load shows nothing`);
    // At most one doubling past the cap: the check runs after a collection, not before it.
    assert.ok(capped <= 16, `capped at 8 MB, the young generation is ${capped} MB`);
    // Scavenges come every few milliseconds: it grows up to the cap.
    assert.ok(capped >= 8, `under a busy load the young generation stayed at ${capped} MB, below the 8 MB cap`);
  });

  it('lets the young generation grow only while scavenges come more often than every 100 ms: a quiet server keeps it small', async () => {
    const [anyPace, paced] = [(await youngGenerationAfterLoad(32, 'slow', Number.POSITIVE_INFINITY)).finalMb, await youngGenerationAfterLoad(32, 'slow')];
    assert.ok(anyPace >= 8, `growing at any pace, the young generation reached ${anyPace} MB only: the load shows nothing`);
    // The same load held to the pace rule stays at a fraction of that. How small depends on the
    // machine: on a quiet one this load's scavenges come often enough for a doubling or two (4 MB,
    // from 1 MB when the load began), on a loaded one they come too seldom for any (1 to 2 MB).
    assert.ok(paced.finalMb <= 4 && paced.finalMb * 2 <= anyPace, `at a slow pace the young generation grew from ${paced.atStartMb} to ${paced.finalMb} MB (${anyPace} MB growing at any pace)`);
  });
});
