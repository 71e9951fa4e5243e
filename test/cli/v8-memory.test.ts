import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { quietOldGenerationGrowingPercent } from '../../src/cli/v8-memory.ts';

const run = promisify(execFile);

/**
 * In a fresh process: allocates like a busy server (short bursts, the event loop turning between
 * them), or like a quiet one (`slow`: a tenth of that per 20 ms timer tick, so scavenges come
 * hundreds of milliseconds apart, more so on a loaded machine); returns the young generation's size
 * in MB when the load began (after the module loading, whose burst V8 may already have grown it for)
 * and at its end, and the V8 flags capYoungGeneration set, in order. `paceMs`: capYoungGeneration's
 * second argument (Infinity: grow at any pace).
 */
async function youngGenerationAfterLoad(capMb: number | null, load: 'busy' | 'slow' = 'busy', paceMs?: number): Promise<{ atStartMb: number; finalMb: number; flags: string[] }> {
  const script = `
    import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
    import { capYoungGeneration } from './src/cli/v8-memory.ts';
    const newSpaceMb = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1048576;
    const flags = [];
    ${capMb === null ? '' : `capYoungGeneration(${capMb} * 1024 * 1024, ${paceMs === undefined ? 'undefined' : String(paceMs)}, (flag) => { flags.push(flag); setFlagsFromString(flag); });`}
    const atStartMb = newSpaceMb();
    let kept = [];
    for (let burst = 0; burst < ${load === 'busy' ? 250 : 300}; burst++) {
      for (let i = 0; i < ${load === 'busy' ? 10_000 : 1_000}; i++) {
        kept.push({ i, s: 'x' + i });
        if (kept.length > ${load === 'busy' ? 100_000 : 20_000}) kept = ${load === 'busy' ? '[]' : 'kept.slice(10_000)'};
      }
      await new Promise((resolve) => ${load === 'busy' ? 'setImmediate(resolve)' : 'setTimeout(resolve, 20)'});
    }
    console.log(JSON.stringify({ atStartMb, finalMb: newSpaceMb(), flags }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { cwd: join(import.meta.dirname, '..', '..'), timeout: 120_000 });
  return JSON.parse(stdout.trim()) as { atStartMb: number; finalMb: number; flags: string[] };
}

describe('capYoungGeneration', () => {
  it("keeps V8's young generation within the cap (one doubling past it at most) under a steady allocation load, where it otherwise grows past it", async () => {
    const uncapped = (await youngGenerationAfterLoad(null)).finalMb;
    const { finalMb: capped, flags } = await youngGenerationAfterLoad(8);
    assert.ok(uncapped > 32, `without the cap the young generation grew to ${uncapped} MB only: the load shows nothing`);
    // At most one doubling past the cap: the check runs after a collection, not before it.
    assert.ok(capped <= 16, `capped at 8 MB, the young generation is ${capped} MB`);
    // Scavenges come every few milliseconds: it grows up to the cap.
    assert.ok(capped >= 8, `under a busy load the young generation stayed at ${capped} MB, below the 8 MB cap`);
    // Busy, the old generation's growth is V8's own again, at the cap too.
    assert.equal(flags.filter((flag) => flag.startsWith('--heap-growing-percent=')).at(-1), '--heap-growing-percent=0', flags.join(' '));
  });

  it('lets the young generation grow only while scavenges come more often than every 50 ms: a quiet server keeps it small', async () => {
    const [anyPace, paced] = [(await youngGenerationAfterLoad(32, 'slow', Number.POSITIVE_INFINITY)).finalMb, await youngGenerationAfterLoad(32, 'slow')];
    assert.ok(anyPace >= 8, `growing at any pace, the young generation reached ${anyPace} MB only: the load shows nothing`);
    // The same load held to the pace rule stays at a fraction of that. How small depends on the
    // machine: on a quiet one this load's scavenges come often enough for a doubling or two (4 MB,
    // from 1 MB when the load began), on a loaded one they come too seldom for any (1 to 2 MB).
    assert.ok(paced.finalMb <= 4 && paced.finalMb * 2 <= anyPace, `at a slow pace the young generation grew from ${paced.atStartMb} to ${paced.finalMb} MB (${anyPace} MB growing at any pace)`);
  });

  it("holds the old generation's growth to quietOldGenerationGrowingPercent while the pace is slow, and gives V8 its own factor back at a fast pace", async () => {
    const slow = await youngGenerationAfterLoad(32, 'slow');
    // The pace is slow from the start (fewer than 10 scavenges seen), so the pinned factor is set first.
    assert.equal(slow.flags.find((flag) => flag.startsWith('--heap-growing-percent=')), `--heap-growing-percent=${quietOldGenerationGrowingPercent}`, slow.flags.join(' '));
    // The same load growing at any pace counts as fast after its first scavenges: V8's own factor.
    const anyPace = await youngGenerationAfterLoad(32, 'slow', Number.POSITIVE_INFINITY);
    assert.equal(anyPace.flags.filter((flag) => flag.startsWith('--heap-growing-percent=')).at(-1), '--heap-growing-percent=0', anyPace.flags.join(' '));
  });
});
