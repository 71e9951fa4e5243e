import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load-config.ts';
import { childBenchmark, contentionThreshold, describeSample, httpBenchmark, isContended, type Benchmark, type Sample } from './lib/benchmarks.ts';
import { benchDir, detectPinning, interruption, startChild, type ChildHandle } from './lib/children.ts';
import { waitForQuiet } from './lib/cpu-stat.ts';
import { benchClientId, newRefreshFamilies, prepareGatehouse } from './lib/gatehouse-client.ts';
import { measureRevocationPropagation, type LatencySummary } from './lib/revocation-propagation.ts';
import { formatPercent, formatRate, median, renderTable, spreadPercent } from './lib/report.ts';
import { scaleBenchmarks } from './scale.ts';
import { startupBenchmarks } from './startup.ts';
import { codeFlowBenchmarks } from './code-flow.ts';
import { inspectorOffSets, inspectorOffTable } from './inspector-off.ts';

/**
 * `npm run bench`: every benchmark, one table of ratios against baselines measured in the same
 * run (PERF.md). Servers and the argon2id baseline run pinned to core 0, autocannon to core 1.
 * Each round runs every benchmark once, baseline next to subject, so a slow minute on a shared
 * machine hits both sides of a ratio; the first round is a discarded warm-up, and each figure
 * is the median of the measured rounds. Each run also reports how much of the measured cores
 * other processes took (/proc/stat); while time allows, contended rounds are repeated and
 * only clean rounds are used, and the table says when that was not possible.
 */

const usage = `usage: npm run bench [-- --duration 5 --warmup 3 --runs 3]
  --duration  seconds per measured run (default 5)
  --warmup    seconds of the discarded warm-up run (default 3)
  --runs      measured runs; the median is reported (default 3)
  --budget    seconds after which no extra round is started to replace contended ones (default 150)
  --revocations  revocations measured for the propagation figures (default 200; 0 skips them)
  --only      comma-separated subjects to run (e.g. session-check,login); their baselines come along.
              Skips the revocation figures and the PostgreSQL table unless named (revocation, scale, code-flow).
              inspector-off: the inspector's cost when off (bench/inspector-off.ts), its own table.
  --inspector-sets  sets of fresh servers in the inspector-off table (default ${String(inspectorOffSets)})`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    budget: { type: 'string', default: '150' },
    revocations: { type: 'string', default: '200' },
    'inspector-sets': { type: 'string', default: String(inspectorOffSets) },
    only: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(usage);
  process.exit(0);
}
const durationSeconds = Number(flags.duration);
const warmupSeconds = Number(flags.warmup);
const runCount = Number(flags.runs);
const budgetSeconds = Number(flags.budget);
const revocationCount = Number(flags.revocations);
if (!(durationSeconds >= 1) || !(warmupSeconds >= 1) || !(budgetSeconds >= 0) || !Number.isInteger(runCount) || runCount < 1) {
  console.error(usage);
  process.exit(2);
}

/** Rounds added, at most, when contended runs leave a pair short of clean rounds. */
const maxExtraRounds = 3;
const httpConnections = 50;
const loginConnections = 10;
/** Refresh grants: each run gets fresh families, twice as many as connections (bench/load/autocannon.ts). */
const refreshFamiliesPerRun = 2 * httpConnections;
/** Keycloak's sizing guide: refresh-token grants per second per vCPU (PERF.md). */
const keycloakRefreshPerVcpu = 120;
const verifierCount = 3;
/** Revocations with a refresh token in flight would make the chain fail: the propagation bench has its own families. */
const revocationTarget = { p99Ms: 1000 };
const accountCount = 5;
const passwordLength = 24;
// The bare-hash baseline uses exactly the parameters the benchmarked server runs with (its defaults).
const argon2 = loadConfig({
  env: { GATEHOUSE_SECRET: 'bench-only-placeholder-secret-000000000000', GATEHOUSE_PUBLIC_URL: 'http://localhost:3000' },
}).password.argon2;

/** Says how far to trust a pass or miss: every round contended is worse than some. */
function noisyStatus(status: string, noisy: boolean, cleanRounds: number | null): string {
  if (!noisy || status === 'INVALID') return status;
  return cleanRounds === 0 ? `${status}, NO CLEAN RUN` : `${status}, noisy`;
}

/**
 * A subject and the baseline it is divided by; both run in every round, one after the other.
 * The target is a ratio to the baseline, or (PERF.md says so for some) an absolute rate, in
 * which case the ratio is still shown for what bounds it.
 */
interface Pair {
  key: string;
  baselineKey: string;
  /** null: a row shown for comparison only, with no target (e.g. the slower argon2id implementation). */
  target: { ratio: number } | { perSecond: number } | null;
}

const only = flags.only === undefined ? null : new Set(flags.only.split(',').map((key) => key.trim()));
const allPairs: Pair[] = [
  { key: 'session-check', baselineKey: 'hello', target: { ratio: 0.7 } },
  { key: 'forward-auth', baselineKey: 'hello', target: { ratio: 0.7 } },
  { key: 'login', baselineKey: 'argon2id', target: { ratio: 0.85 } },
  { key: 'argon2id-node-crypto', baselineKey: 'argon2id', target: null },
  { key: 'refresh', baselineKey: 'jose-sign', target: { perSecond: 7000 } },
  { key: 'sdk-seen', baselineKey: 'crypto-verify', target: { perSecond: 200_000 } },
  { key: 'sdk-never-seen', baselineKey: 'jose-verify', target: { ratio: 0.8 } },
  { key: 'passkey-login', baselineKey: 'passkey-bare', target: { ratio: 0.8 } },
  { key: 'passkey-login-session', baselineKey: 'passkey-bare', target: null },
];

const pairs = only === null ? allPairs : allPairs.filter((pair) => only.has(pair.key));
const runRevocations = revocationCount > 0 && (only === null || only.has('revocation'));
// PERF.md: the inspector off costs the session check at most 2% against no recorder wired in.
// Too small for the rounds above to tell: measured its own way, after them (bench/inspector-off.ts).
const runInspectorOff = only === null || only.has('inspector-off') || only.has('session-check-inspector-off');
const inspectorSets = Number(flags['inspector-sets']);

function formatTarget(target: Pair['target']): string {
  if (target === null) return '-';
  return 'ratio' in target ? `>= ${target.ratio.toFixed(2)}x` : `>= ${formatRate(target.perSecond, '/s')}`;
}

/** How far short of the target, as a fraction of it (0 when met). */
function shortfall(target: NonNullable<Pair['target']>, value: number, ratio: number): number {
  return 'ratio' in target ? 1 - ratio / target.ratio : 1 - value / target.perSecond;
}

/** The tables after the SQLite one: start-up and idle memory, then PostgreSQL (+ Redis). */
async function otherTables(): Promise<number> {
  const pinning = detectPinning();
  if (only === null || only.has('startup')) await startupBenchmarks({ runs: runCount, pinning });
  // Scale-out (bench/scale.ts): PostgreSQL + Redis, one and two instances, the refresh grant.
  if (only === null || only.has('scale')) await scaleBenchmarks({ durationSeconds, warmupSeconds, runCount, pinning });
  // The OpenID code flow against oidc-provider (bench/code-flow.ts).
  if (only === null || only.has('code-flow')) await codeFlowBenchmarks({ durationSeconds, warmupSeconds, runCount, pinning });
  return 0;
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const pinning = detectPinning();
  console.log(`gatehouse bench: node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(`  ${pinning.description}`);
  console.log(`  each round: warm-up ${warmupSeconds} s (discarded), then ${runCount} x ${durationSeconds} s per benchmark, median reported`);
  console.log(
    `  HTTP: ${httpConnections} connections; login: ${loginConnections} connections over ${accountCount} accounts; argon2id m=${argon2.memoryKiB} KiB t=${argon2.passes} p=${argon2.parallelism}, ${loginConnections} in flight`,
  );

  let waited = false;
  const busy = await waitForQuiet(20, 0.25, (share) => {
    if (!waited) console.log(`  waiting up to 20 s for the machine to go quiet (${formatPercent(share)} of all CPUs busy)`);
    waited = true;
  });
  if (busy !== null && busy >= 0.25) console.log(`  WARNING: the machine is busy (${formatPercent(busy)} of all CPUs used by other processes); expect noisy figures`);

  const children: ChildHandle[] = [];
  // Only the start-up or PostgreSQL tables asked for (--only): no SQLite table.
  if (pairs.length === 0 && !runRevocations) {
    const inspectorOff = runInspectorOff ? await inspectorOffTable({ pinning, sets: inspectorSets }) : null;
    const others = await otherTables();
    return inspectorOff?.result === 'INVALID' ? 1 : others;
  }
  try {
    // Five children start at once on one core, on a machine others may be loading: a minute each.
    const started = await Promise.allSettled([
      startChild({ name: 'hello-world server', script: 'servers/hello.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 }),
      startChild({ name: 'gatehouse server', script: 'servers/gatehouse.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 }),
      startChild({ name: 'argon2id baseline', script: 'baselines/argon2id.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 }),
      startChild({ name: 'sign/verify baselines', script: 'baselines/in-process.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 }),
      startChild({ name: 'passkey verification', script: 'baselines/passkeys.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 }),
    ]);
    for (const outcome of started) if (outcome.status === 'fulfilled') children.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const [hello, gatehouse, hasher, inProcess, passkeys] = children as [ChildHandle, ChildHandle, ChildHandle, ChildHandle, ChildHandle];
    const gatehouseUrl = `http://127.0.0.1:${String(gatehouse.port)}`;
    const prepared = await prepareGatehouse(gatehouseUrl, accountCount, passwordLength);
    console.log(`  gatehouse on ${gatehouseUrl} (SQLite in a temp dir, log level silent): ${accountCount} accounts, session cookie ready`);

    const benchmarks: Benchmark[] = [
      httpBenchmark({
        key: 'hello',
        label: 'fastify hello-world',
        server: hello,
        pinning,
        load: { url: `http://127.0.0.1:${String(hello.port)}/`, connections: httpConnections, method: 'GET', headers: {} },
        watch: 'both-cores',
      }),
      httpBenchmark({
        key: 'session-check',
        label: 'session check (SQLite)',
        server: gatehouse,
        pinning,
        load: { url: `${gatehouseUrl}/v1/session`, connections: httpConnections, method: 'GET', headers: { cookie: prepared.sessionCookie } },
        watch: 'both-cores',
      }),
      // What nginx auth_request sends: the browser's cookie and the original URL, from a trusted proxy.
      httpBenchmark({
        key: 'forward-auth',
        label: 'forward-auth check (SQLite)',
        server: gatehouse,
        pinning,
        load: {
          url: `${gatehouseUrl}/v1/auth/check`,
          connections: httpConnections,
          method: 'GET',
          headers: { cookie: prepared.sessionCookie, 'x-forwarded-proto': 'http', 'x-forwarded-host': `localhost:${String(gatehouse.port)}`, 'x-forwarded-uri': '/app/reports?q=1' },
        },
        watch: 'both-cores',
      }),
      // The fastest maintained argon2id on npm (the one Gatehouse uses), and node:crypto's for comparison.
      childBenchmark('argon2id', '@node-rs/argon2 bare verify', 'verifies/s', hasher, pinning, {
        kind: 'argon2id',
        implementation: 'node-rs',
        concurrency: loginConnections,
        ...argon2,
        passwordLength,
      }),
      childBenchmark('argon2id-node-crypto', 'node:crypto argon2 bare verify', 'verifies/s', hasher, pinning, {
        kind: 'argon2id',
        implementation: 'node-crypto',
        concurrency: loginConnections,
        ...argon2,
        passwordLength,
      }),
      httpBenchmark({
        key: 'login',
        label: 'password login',
        server: gatehouse,
        pinning,
        load: {
          url: `${gatehouseUrl}/v1/session`,
          connections: loginConnections,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          bodies: prepared.accounts.map((account) => JSON.stringify(account)),
        },
        // The login load is light (a few % of a core): only the server's core matters.
        watch: 'server-core',
      }),
      childBenchmark('jose-sign', 'node:crypto ES256 sign (raw)', 'signs/s', inProcess, pinning, { kind: 'jose-sign', concurrency: httpConnections }),
      httpBenchmark({
        key: 'refresh',
        label: 'refresh grant (SQLite, ES256)',
        server: gatehouse,
        pinning,
        load: { url: `${gatehouseUrl}/v1/token`, connections: httpConnections, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        // Every request presents a live refresh token of a family never used in an earlier run.
        prepare: async () => ({
          refreshChain: {
            clientId: benchClientId,
            tokens: (await newRefreshFamilies(gatehouseUrl, prepared.accounts[0] as (typeof prepared.accounts)[number], refreshFamiliesPerRun)).map((family) => family.refreshToken),
          },
        }),
        watch: 'both-cores',
      }),
      childBenchmark('crypto-verify', 'node:crypto EdDSA verify (raw)', 'verifies/s', inProcess, pinning, { kind: 'verify', verifyCase: 'crypto-verify' }),
      childBenchmark('sdk-seen', 'SDK verify, seen before', 'verifies/s', inProcess, pinning, { kind: 'verify', verifyCase: 'sdk-seen' }),
      childBenchmark('jose-verify', 'jose jwtVerify EdDSA (alone)', 'verifies/s', inProcess, pinning, { kind: 'verify', verifyCase: 'jose-verify' }),
      childBenchmark('passkey-bare', '@simplewebauthn verifyAuthenticationResponse (alone)', 'verifies/s', passkeys, pinning, { kind: 'passkey-bare' }),
      childBenchmark('passkey-login', 'passkey login verification: challenge, verify, counter, audit (SQLite)', 'verifies/s', passkeys, pinning, { kind: 'passkey-login' }),
      childBenchmark('passkey-login-session', 'passkey login with its session (SQLite)', 'logins/s', passkeys, pinning, { kind: 'passkey-login-session' }),
      childBenchmark('sdk-never-seen', 'SDK verify, never seen', 'verifies/s', inProcess, pinning, { kind: 'verify', verifyCase: 'sdk-never-seen' }),
    ];

    const samples = new Map<string, Sample[]>(benchmarks.map((b) => [b.key, []]));
    const measured = (key: string): Sample[] => (samples.get(key) ?? []).filter((s) => !s.warmUp);
    // A round is clean for a pair when neither its subject nor its baseline run shared a core.
    const cleanRoundsOf = (pair: Pair): number[] =>
      measured(pair.key)
        .filter((s) => !isContended(s) && measured(pair.baselineKey).some((b) => b.round === s.round && !isContended(b)))
        .map((s) => s.round);
    const needsMore = (pair: Pair): boolean => cleanRoundsOf(pair).length < runCount;

    let lastRoundMs = 0;
    for (let round = 0; ; round += 1) {
      const warmUp = round === 0;
      const extra = round > runCount;
      if (extra) {
        const elapsedMs = Date.now() - startedAt.getTime();
        const wanted = pairs.filter(needsMore);
        if (wanted.length === 0 || round > runCount + maxExtraRounds || elapsedMs + lastRoundMs > budgetSeconds * 1000) break;
      }
      // Extra rounds re-run only the pairs still short of clean rounds.
      const keys = new Set(pairs.filter((p) => !extra || needsMore(p)).flatMap((p) => [p.baselineKey, p.key]));
      console.log(warmUp ? '\nwarm-up (discarded)' : extra ? `\nextra round ${round} (runs were contended)` : `\nround ${round} of ${runCount}`);
      const roundStartedAt = Date.now();
      // Every other round runs the list backwards, so no subject always runs right after (or
      // before) its baseline: an effect of the order on a shared machine (a load generator just
      // started, a server that just idled) then falls on both sides of a ratio alike instead of
      // showing up as a cost of one of them.
      const inRound = benchmarks.filter((b) => keys.has(b.key));
      for (const benchmark of round % 2 === 0 ? inRound : inRound.reverse()) {
        const sample: Sample = { round, warmUp, ...(await benchmark.measure(warmUp ? warmupSeconds : durationSeconds)) };
        samples.get(benchmark.key)?.push(sample);
        console.log(describeSample(benchmark, sample));
      }
      if (!warmUp) lastRoundMs = Date.now() - roundStartedAt;
      if (!warmUp) {
        const ratios = pairs
          .filter((pair) => keys.has(pair.key))
          .map((pair) => {
            const value = (key: string): number => measured(key).find((s) => s.round === round)?.value ?? Number.NaN;
            return `${pair.key}/${pair.baselineKey} ${(value(pair.key) / value(pair.baselineKey)).toFixed(3)}`;
          });
        console.log(`  ratios this round: ${ratios.join(', ')}`);
      }
    }

    const shownBaselines = new Set<string>();
    const rows = pairs.flatMap((pair) => {
      const clean = cleanRoundsOf(pair);
      // Enough clean rounds: use only those. Otherwise every measured round, flagged as noisy.
      const chosen = clean.length >= runCount ? new Set(clean) : new Set(measured(pair.key).map((s) => s.round));
      const pick = (key: string): Sample[] => measured(key).filter((s) => chosen.has(s.round));
      const baselineRuns = pick(pair.baselineKey);
      const subjectRuns = pick(pair.key);
      const baselineValue = median(baselineRuns.map((s) => s.value));
      const value = median(subjectRuns.map((s) => s.value));
      // The ratio is paired: each round's subject over its baseline of the same round (measured
      // minutes apart at most), then the median of those. The machine's speed drifts between
      // rounds (hello-world 42k to 53k req/s in one quiet run); the ratio of the two medians
      // mixes rounds and so carries that drift, and is shown beside it for comparison.
      const pairedMedian = (of: (sample: Sample) => number, rounds: Sample[]): number =>
        median(
          rounds.flatMap((sample) => {
            const base = baselineRuns.find((b) => b.round === sample.round);
            return base === undefined ? [] : [of(sample) / of(base)];
          }),
        );
      const ratio = pairedMedian((sample) => sample.value, subjectRuns);
      const ratioOfMedians = value / baselineValue;
      // Throughput per fully used server core: robust when a run did not saturate the server
      // (hello-world is often bounded by the load generator's single core).
      const perCore = (runs: Sample[]): number => median(runs.map((sample) => sample.value / sample.serverCpuShare));
      const perCoreRatio = pairedMedian((sample) => sample.value / sample.serverCpuShare, subjectRuns);
      const problems = [...baselineRuns, ...subjectRuns].flatMap((s) => s.problems);
      let status: string;
      const short = pair.target === null ? 0 : shortfall(pair.target, value, ratio);
      if (problems.length > 0) status = 'INVALID';
      else if (pair.target === null) status = 'info';
      else if (short <= 0) status = 'pass';
      else status = `miss (${(short * 100).toFixed(0)}% short)`;
      // Without pinning (or /proc/stat) other processes' share is unknown: no round counts as clean.
      const contentionKnown = measured(pair.key).every((sample) => sample.othersOnServerCore !== null);
      const noisy = !contentionKnown || clean.length < runCount;
      const cleanRatio = contentionKnown && clean.length > 0 ? pairedMedian((sample) => sample.value, measured(pair.key).filter((sample) => clean.includes(sample.round))) : null;
      const benchmarkOf = (key: string): Benchmark => benchmarks.find((b) => b.key === key) as Benchmark;
      const row = (key: string, runs: Sample[], rowValue: number, comparison: { baseline: number; ratio: number; target: Pair['target']; status: string } | null) => ({
        key,
        name: benchmarkOf(key).label,
        unit: benchmarkOf(key).unit,
        value: rowValue,
        runs: runs.map((s) => s.value),
        rounds: runs.map((s) => s.round),
        spreadPercent: spreadPercent(runs.map((s) => s.value)),
        serverCpuShare: median(runs.map((s) => s.serverCpuShare)),
        perServerCore: perCore(runs),
        cleanRounds: contentionKnown ? clean.length : null,
        measuredRounds: measured(pair.key).length,
        noisy,
        baselineName: comparison === null ? null : benchmarkOf(pair.baselineKey).label,
        baselineUnit: comparison === null ? null : benchmarkOf(pair.baselineKey).unit,
        baseline: comparison?.baseline ?? null,
        ratio: comparison?.ratio ?? null,
        perCoreRatio: comparison === null ? null : perCoreRatio,
        ratioOfMedians: comparison === null ? null : ratioOfMedians,
        cleanRatio: comparison === null ? null : cleanRatio,
        ratioPerRound: comparison === null ? null : runs.map((s) => s.value / (baselineRuns.find((b) => b.round === s.round)?.value ?? Number.NaN)),
        target: comparison?.target ?? null,
        status: comparison?.status ?? (problems.length > 0 ? 'INVALID' : 'baseline'),
        problems: runs.flatMap((s) => s.problems),
      });
      // A baseline shared by several pairs gets one row (the first pair's rounds).
      const baselineShown = shownBaselines.has(pair.baselineKey);
      shownBaselines.add(pair.baselineKey);
      return [
        ...(baselineShown ? [] : [row(pair.baselineKey, baselineRuns, baselineValue, null)]),
        row(pair.key, subjectRuns, value, { baseline: baselineValue, ratio, target: pair.target, status: noisyStatus(status, noisy, contentionKnown ? clean.length : null) }),
      ];
    });

    console.log('\nresults (median of measured runs; ratio = the median of value / baseline, round by round)\n');
    console.log(
      renderTable(
        ['benchmark', 'value', 'spread', 'server cpu', 'clean runs', 'baseline', 'ratio', 'per-core ratio', 'target', 'result'],
        rows.map((row) => [
          row.name,
          formatRate(row.value, row.unit),
          `±${(row.spreadPercent / 2).toFixed(1)}%`,
          formatPercent(row.serverCpuShare),
          row.cleanRounds === null ? 'unknown' : `${row.cleanRounds}/${row.measuredRounds}`,
          row.baseline === null ? '-' : `${formatRate(row.baseline, row.baselineUnit ?? '')} (${row.baselineName ?? ''})`,
          row.ratio === null ? '1 (ref)' : `${row.ratio.toFixed(3)}x`,
          row.perCoreRatio === null ? '-' : `${row.perCoreRatio.toFixed(3)}x`,
          row.target === null ? '-' : formatTarget(row.target),
          row.status,
        ]),
        new Set([1, 2, 3, 4, 6, 7, 8]),
      ),
    );
    console.log(`\n  ${pinning.description}`);
    console.log('  spread: half the range of the measured runs around their median');
    console.log('  result: ratio (req/s over req/s, as PERF.md defines it) against the target');
    console.log("  ratio: the median of the rounds' own ratios (each round's value over its baseline's in that round)");
    const ofMedians = rows.filter((row) => row.ratioOfMedians !== null && row.target !== null);
    if (ofMedians.length > 0) console.log(`    the ratio of the two medians instead: ${ofMedians.map((row) => `${row.key} ${(row.ratioOfMedians as number).toFixed(3)}x`).join(', ')}`);
    console.log('  per-core ratio: the same with each value divided by the server CPU it used (req/s per fully used server core)');
    console.log(`  clean runs: rounds in which other processes used at most ${formatPercent(contentionThreshold)} of the measured cores, for the benchmark and its baseline`);
    const noisy = rows.filter((row) => row.noisy && row.ratio !== null);
    if (rows.some((row) => row.cleanRounds === null)) {
      console.log('  NOISY: contention by other processes could not be measured (not pinned, or no /proc/stat); every ratio is less certain');
    } else if (noisy.length > 0) {
      console.log(
        `  NOISY: fewer than ${runCount} clean rounds for ${noisy.map((row) => row.name).join(', ')}; those medians use contended rounds too. Rerun when the machine is quieter.`,
      );
      for (const row of noisy) {
        if (row.cleanRatio !== null) {
          console.log(`    ${row.name}: clean rounds alone (${String(row.cleanRounds)}) give ${row.cleanRatio.toFixed(3)}x; contention usually hurts the baseline more, so that figure is the better guide`);
        }
      }
    } else {
      console.log('  every figure is the median of clean rounds only');
    }
    const helloLoad = median(measured('hello').map((sample) => sample.loadCpuShare ?? 0));
    const helloServer = median(measured('hello').map((sample) => sample.serverCpuShare));
    if (helloLoad >= 0.9) {
      const bound = helloServer < 0.9 ? 'is bounded by the load generator' : 'may be close to the load generator\'s limit';
      console.log(
        `  NOTE: during hello-world autocannon used ${formatPercent(helloLoad)} of its core and the server ${formatPercent(helloServer)} of its own: that baseline ${bound}, which flatters the session-check ratio; the per-core ratio does not depend on it`,
      );
    }

    const refreshRow = rows.find((row) => row.key === 'refresh');
    if (refreshRow !== undefined) {
      console.log(
        `  refresh grant: ${formatRate(refreshRow.value, 'req/s')} = ${(refreshRow.value / keycloakRefreshPerVcpu).toFixed(1)}x Keycloak's published ${keycloakRefreshPerVcpu}/s per vCPU; ` +
          `${formatRate(refreshRow.perServerCore, 'req/s')} per fully used server core; the raw ES256 sign rate bounds it (ratio column)`,
      );
    }

    const valueOf = (key: string): number => rows.find((row) => row.key === key)?.value ?? Number.NaN;
    if (rows.some((row) => row.key === 'sdk-seen')) {
      const crypto = valueOf('crypto-verify');
      const jose = valueOf('jose-verify');
      const ratios = (key: string): string => `${(valueOf(key) / crypto).toFixed(2)}x node:crypto verify, ${(valueOf(key) / jose).toFixed(2)}x jose jwtVerify`;
      console.log(`  SDK verify (EdDSA, in process): seen before ${ratios('sdk-seen')}; never seen ${ratios('sdk-never-seen')}`);
    }

    // The inspector's cost when off: three fresh servers of its own, its own table (bench/inspector-off.ts).
    const inspectorOff = runInspectorOff ? await inspectorOffTable({ pinning, sets: inspectorSets }) : null;

    let propagation: Awaited<ReturnType<typeof measureRevocationPropagation>> | null = null;
    if (runRevocations) {
      console.log(`\nrevocation propagation: ${revocationCount} sessions revoked one after another (+10 discarded), ${verifierCount} SDK verifier processes following the feed`);
      propagation = await measureRevocationPropagation({
        baseUrl: gatehouseUrl,
        account: prepared.accounts[0] as (typeof prepared.accounts)[number],
        feed: { clientId: gatehouse.info.feedClientId as string, clientSecret: gatehouse.info.feedClientSecret as string },
        issuer: `http://localhost:${String(gatehouse.port)}`,
        audience: 'https://api.bench.invalid',
        verifierCount,
        count: revocationCount,
        warmUp: 10,
        spacingMs: [20, 60],
        core: pinning.loadCore,
      });
      const line = (name: string, s: LatencySummary): string[] => [
        name,
        String(s.samples),
        String(s.missing),
        `${s.p50Ms.toFixed(1)} ms`,
        `${s.p99Ms.toFixed(1)} ms`,
        `${s.maxMs.toFixed(1)} ms`,
        `<= ${revocationTarget.p99Ms} ms`,
        s.missing > 0 ? 'INVALID (missing)' : s.p99Ms <= revocationTarget.p99Ms ? 'pass' : `miss (${((s.p99Ms / revocationTarget.p99Ms - 1) * 100).toFixed(0)}% over)`,
      ];
      console.log(
        renderTable(
          ['revocation -> verifier', 'samples', 'missing', 'p50', 'p99', 'max', 'target p99', 'result'],
          [...propagation.perVerifier.map((s, i) => line(`verifier ${i + 1}`, s)), line('all verifiers', propagation.all)],
          new Set([1, 2, 3, 4, 5]),
        ),
      );
      console.log('  from the revoking request\'s response (POST /v1/token/revoke) to the SDK applying the feed event, both stamped on this machine\'s clock');
      console.log('  one Gatehouse instance (the feed polls the database every 200 ms); the verifiers run on the load core');
    }

    const resultsDir = `${benchDir}results`;
    mkdirSync(resultsDir, { recursive: true });
    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      node: process.version,
      cpu: cpus()[0]?.model ?? null,
      pinning,
      contentionThreshold,
      settings: { durationSeconds, warmupSeconds, runs: runCount, httpConnections, loginConnections, accountCount, argon2 },
      results: rows,
      revocationPropagation: propagation,
      inspectorOff,
      samples: Object.fromEntries(samples),
    };
    writeFileSync(`${resultsDir}/latest.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`  written to bench/results/latest.json (${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s in all)`);
    await Promise.all(children.splice(0).map((child) => child.stop()));
    const propagationInvalid = propagation !== null && propagation.all.missing > 0;
    const others = await otherTables();
    return rows.some((row) => row.status === 'INVALID') || propagationInvalid || inspectorOff?.result === 'INVALID' ? 1 : others;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (interruption() !== null) {
      console.error(`bench interrupted (${String(interruption())}); no results written`);
      process.exit(130);
    }
    console.error(`\nbench FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
