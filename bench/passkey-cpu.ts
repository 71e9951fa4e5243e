import { parseArgs } from 'node:util';
import { openPasskeyBench, runPasskeyBatch, type PasskeyWorkKind } from './lib/passkey-bench.ts';
import { median } from './lib/report.ts';

/**
 * `node bench/passkey-cpu.ts [--blocks 16] [--per-lane 20] [--only passkey-bare,passkey-login]`:
 * CPU time (process.cpuUsage: user + system, all threads) per passkey verification, in one
 * process, in alternating short blocks of the rows of `npm run bench -- --only passkey-login`:
 * the bare verifyAuthenticationResponse, the login's verification, and the login with its
 * session (bench/lib/passkey-bench.ts, the same work as the bench child). On a loaded machine
 * the rate moves with other processes' load; CPU per operation is the steadier figure (COMMON
 * rules of PERF.md), and bare/login is the bench row's ratio on an idle core. Compare two builds
 * by running it in each checkout, alternately.
 */
const { values: flags } = parseArgs({
  options: {
    blocks: { type: 'string', default: '16' },
    'per-lane': { type: 'string', default: '20' },
    only: { type: 'string', default: 'passkey-bare,passkey-login,passkey-login-session' },
  },
});
const kinds = (flags.only ?? '').split(',').map((k) => k.trim()) as PasskeyWorkKind[];
const perLane = Number(flags['per-lane']);
const bench = await openPasskeyBench(10);

const samples = new Map<PasskeyWorkKind, { total: number[]; system: number[] }>(kinds.map((k) => [k, { total: [], system: [] }]));
async function block(kind: PasskeyWorkKind): Promise<{ total: number; system: number }> {
  const batch = await bench.batch(kind, perLane);
  const before = process.cpuUsage();
  const operations = await runPasskeyBatch(batch);
  const used = process.cpuUsage(before);
  return { total: (used.user + used.system) / operations, system: used.system / operations };
}
for (const kind of kinds) await block(kind); // warm-up
for (let b = 0; b < Number(flags.blocks); b += 1) {
  for (const kind of b % 2 === 0 ? kinds : [...kinds].reverse()) {
    const { total, system } = await block(kind);
    samples.get(kind)?.total.push(total);
    samples.get(kind)?.system.push(system);
  }
}
const bare = samples.get('passkey-bare');
for (const [kind, { total, system }] of samples) {
  const ratio = bare === undefined ? '' : `  bare/this ${(median(bare.total) / median(total)).toFixed(3)}`;
  console.log(`${kind.padEnd(22)} ${median(total).toFixed(1).padStart(7)} us CPU/op (system ${median(system).toFixed(1)})${ratio}`);
}
await bench.close();
