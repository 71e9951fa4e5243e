import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CoreDeps } from '../src/core/deps.ts';
import { validateSession } from '../src/core/sessions/validate-session.ts';
import { logIn } from '../src/core/credentials/log-in.ts';
import { createAccount } from '../src/core/accounts/create-account.ts';
import { createGatehouse } from '../src/main.ts';
import { loadTestConfig } from './lib/load-test-config.ts';
import { median } from './lib/report.ts';

/**
 * `node bench/inspector-off.ts`: the session check's cost with the inspector off (the no-op
 * recorder wired in, as production runs) against no recorder wired in at all, in one process,
 * in many short alternating blocks so a busy machine slows both sides alike (PERF.md: within 2%);
 * the figure is the median of the per-block ratios. The HTTP
 * row of `npm run bench` (session-check-inspector-off) measures the same through the server; on
 * a machine other processes load, this in-process figure is the steadier one.
 */

const blocks = Number(process.env.BLOCKS ?? 200);
const callsPerBlock = Number(process.env.CALLS ?? 3000);
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-inspector-off-'));
const gatehouse = await createGatehouse(loadTestConfig(0, dir));
try {
  const password = 'inspector off bench passphrase 0123';
  await createAccount(gatehouse.deps, { email: 'inspector-off@example.com', password }, { ip: '127.0.0.1', userAgent: 'bench' });
  const { token } = await logIn(gatehouse.deps, { email: 'inspector-off@example.com', password }, { ip: '127.0.0.1', userAgent: 'bench' });
  // Same object shape on both sides: only the recorder differs.
  const off: CoreDeps = { ...gatehouse.deps };
  const unwired: CoreDeps = { ...gatehouse.deps, trace: undefined };
  const time = async (deps: CoreDeps): Promise<number> => {
    const startedAt = performance.now();
    for (let i = 0; i < callsPerBlock; i += 1) await validateSession(deps, token);
    return (callsPerBlock * 1000) / (performance.now() - startedAt);
  };
  for (let i = 0; i < 3; i += 1) await Promise.all([time(off), time(unwired)]);
  const ratios: number[] = [];
  const offRates: number[] = [];
  const unwiredRates: number[] = [];
  for (let block = 0; block < blocks; block += 1) {
    // Alternate which side goes first, so neither always runs on a warmer (or busier) moment.
    const [a, b] = block % 2 === 0 ? [await time(off), await time(unwired)] : [0, 0];
    const [d, c] = block % 2 === 1 ? [await time(unwired), await time(off)] : [0, 0];
    const offRate = a + c;
    const unwiredRate = b + d;
    offRates.push(offRate);
    unwiredRates.push(unwiredRate);
    ratios.push(offRate / unwiredRate);
  }
  console.log(`session check in process, ${String(blocks)} blocks of ${String(callsPerBlock)} calls`);
  console.log(`  no recorder wired in: ${median(unwiredRates).toFixed(0)} checks/s (median)`);
  console.log(`  inspector off (no-op recorder): ${median(offRates).toFixed(0)} checks/s (median)`);
  console.log(`  ratio off / unwired: median ${median(ratios).toFixed(4)} (target >= 0.98), blocks from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)}`);
} finally {
  await gatehouse.close();
  rmSync(dir, { recursive: true, force: true });
}
