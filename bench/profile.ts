import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchDir, detectPinning, runLoad, startChild } from './lib/children.ts';
import { summarizeProfile } from './lib/cpu-profile.ts';
import { benchClientId, newRefreshFamilies, prepareGatehouse } from './lib/gatehouse-client.ts';
import { formatRate, renderTable } from './lib/report.ts';
import { measure as measureCodeFlow, redirectUri } from './code-flow.ts';
import type { LoadOptions } from './load/autocannon.ts';

/**
 * Where the Gatehouse server's time goes under one benchmark's load: starts bench/servers/
 * gatehouse.ts under `node --cpu-prof` (pinned as in `npm run bench`), loads it, stops it
 * cleanly so V8 writes the profile, and prints the top self-time and inclusive-time functions.
 *
 *   node bench/profile.ts [--scenario session-check|forward-auth|login|refresh|code-flow|hello] [--duration 10] [--top 25] [--rate 6000] [--alg RS256|ES256]
 *
 * `--rate` holds the load at that many requests per second (HTTP scenarios): two profiles taken
 * at the same rate batch alike, so their CPU per request compares (unthrottled, a slower server
 * batches more requests per event-loop turn, and its per-request costs look smaller).
 * `--alg` picks the code flow's ID-token algorithm (its client).
 * `hello` profiles the fastify hello-world baseline the same way, to compare against.
 *
 * The .cpuprofile stays in bench/results/profiles/ (open it in Chrome DevTools for the flame chart).
 */

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'session-check' },
    duration: { type: 'string', default: '10' },
    top: { type: 'string', default: '25' },
    rate: { type: 'string' },
    alg: { type: 'string', default: 'RS256' },
  },
});
const scenario = flags.scenario;
if (scenario !== 'session-check' && scenario !== 'forward-auth' && scenario !== 'login' && scenario !== 'refresh' && scenario !== 'hello' && scenario !== 'code-flow') {
  console.error('usage: node bench/profile.ts [--scenario session-check|forward-auth|login|refresh|code-flow|hello] [--duration 10] [--top 25] [--rate 6000]');
  process.exit(2);
}
const durationSeconds = Number(flags.duration);
const top = Number(flags.top);
const overallRate = flags.rate === undefined ? undefined : Number(flags.rate);

async function main(): Promise<void> {
  const pinning = detectPinning();
  const serverName = scenario === 'hello' ? 'hello' : 'gatehouse';
  console.log(`profiling ${serverName} under ${scenario} load for ${durationSeconds} s; ${pinning.description}`);
  const profileDir = join(benchDir, 'results', 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const profileName = `${serverName}-${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  const server = await startChild({
    name: `${serverName} server (profiling)`,
    script: `servers/${serverName}.ts`,
    core: pinning.serverCore,
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', profileName],
  });
  let window: { fromMicros: number; toMicros: number } | undefined;
  try {
    const url = `http://127.0.0.1:${String(server.port)}`;
    const prepared = scenario === 'hello' ? { accounts: [], sessionCookie: '' } : await prepareGatehouse(url, 5, 24);
    const load: Omit<LoadOptions, 'durationSeconds'> =
      scenario === 'hello'
        ? { url: `${url}/`, connections: 50, method: 'GET', headers: {} }
        : scenario === 'session-check'
        ? { url: `${url}/v1/session`, connections: 50, method: 'GET', headers: { cookie: prepared.sessionCookie } }
        : scenario === 'forward-auth'
        ? {
            url: `${url}/v1/auth/check`,
            connections: 50,
            method: 'GET',
            headers: { cookie: prepared.sessionCookie, 'x-forwarded-proto': 'http', 'x-forwarded-host': `localhost:${String(server.port)}`, 'x-forwarded-uri': '/app/reports?q=1' },
          }
        : scenario === 'refresh'
        ? {
            url: `${url}/v1/token`,
            connections: 50,
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            refreshChain: { clientId: benchClientId, tokens: (await newRefreshFamilies(url, prepared.accounts[0]!, 100)).map((f) => f.refreshToken) },
          }
        : {
            url: `${url}/v1/session`,
            connections: 10,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            bodies: prepared.accounts.map((account) => JSON.stringify(account)),
          };
    const before = await server.cpu();
    if (scenario === 'code-flow') {
      // authorize -> code -> token with the prepared session (bench/code-flow.ts), two requests a flow.
      const clientId = server.info[flags.alg === 'ES256' ? 'codeFlowEs256ClientId' : 'codeFlowClientId'] as string;
      const flow = { authorizationEndpoint: `${url}/oauth2/authorize`, tokenEndpoint: `${url}/v1/token`, clientId, redirectUri, scope: 'openid', cookie: prepared.sessionCookie, connections: 20 };
      const result = await measureCodeFlow({ ...flow, durationSeconds }, pinning.loadCore);
      const after = await server.cpu();
      window = { fromMicros: before.monotonicMicros, toMicros: after.monotonicMicros };
      const cpu = after.userMicros - before.userMicros + after.systemMicros - before.systemMicros;
      console.log(`  ${(result.flows / result.elapsedSeconds).toFixed(0)} flows/s under the profiler, ${result.errors} failed; server CPU per flow: ${(cpu / Math.max(1, result.flows)).toFixed(1)} us`);
    } else {
      const summary = await runLoad(pinning.loadCore, { ...load, durationSeconds, ...(overallRate === undefined ? {} : { overallRate }) });
      const after = await server.cpu();
      window = { fromMicros: before.monotonicMicros, toMicros: after.monotonicMicros };
      console.log(
        `  ${formatRate(summary.okPerSecond, 'req/s')} under the profiler (the profiler costs some throughput), ${summary.non2xx} non-2xx, ${summary.errors} errors`,
      );
      const serverShare = (after.userMicros - before.userMicros + after.systemMicros - before.systemMicros) / (after.monotonicMicros - before.monotonicMicros);
      console.log(`  server process CPU during the load: ${(serverShare * 100).toFixed(0)}% of a core`);
      const cpuMicrosPerRequest = (after.userMicros - before.userMicros + after.systemMicros - before.systemMicros) / Math.max(1, summary.ok);
      console.log(`  server CPU per successful request: ${cpuMicrosPerRequest.toFixed(1)} us`);
    }
  } finally {
    await server.stop(15_000);
  }

  const file = readdirSync(profileDir).find((name) => name === profileName);
  if (file === undefined) throw new Error(`no profile written to ${profileDir} (did the server exit cleanly?)`);
  const path = join(profileDir, file);
  const profile = summarizeProfile(path, window);
  if (!profile.windowApplied) console.log('  (could not line up the load window with the profile clock: start-up is included)');
  const pct = (ms: number): string => `${((ms / profile.busyMs) * 100).toFixed(1)}%`;
  console.log(`\nmain thread: ${(profile.totalMs / 1000).toFixed(1)} s profiled, ${(profile.busyMs / 1000).toFixed(1)} s busy ${profile.windowApplied ? ' during the load only' : ''} (percentages are of busy time)\n`);
  console.log('top self time by function');
  console.log(
    renderTable(
      ['self', 'share', 'function', 'where'],
      profile.functions
        .filter((f) => f.name !== '(idle)')
        .slice(0, top)
        .map((f) => [`${f.selfMs.toFixed(0)} ms`, pct(f.selfMs), f.name, f.where]),
      new Set([0, 1]),
    ),
  );
  console.log('\nself time by package / file');
  console.log(
    renderTable(
      ['self', 'share', 'where'],
      profile.groups
        .filter((g) => g.group !== '(idle)')
        .slice(0, top)
        .map((g) => [`${g.selfMs.toFixed(0)} ms`, pct(g.selfMs), g.group]),
      new Set([0, 1]),
    ),
  );
  console.log('\ninclusive time of Gatehouse code (src/)');
  console.log(
    renderTable(
      ['total', 'share', 'function', 'where'],
      profile.inclusive
        .filter((f) => f.where.startsWith('src/') && f.selfMs >= 1)
        .slice(0, top)
        .map((f) => [`${f.selfMs.toFixed(0)} ms`, pct(f.selfMs), f.name, f.where]),
      new Set([0, 1]),
    ),
  );
  console.log(`\nprofile: ${path}`);
  // Keep only the five newest profiles.
  const old = readdirSync(profileDir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort((a, b) => statSync(join(profileDir, a)).mtimeMs - statSync(join(profileDir, b)).mtimeMs)
    .slice(0, -5);
  for (const name of old) rmSync(join(profileDir, name));
}

main().catch((error: unknown) => {
  console.error(`profile FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
