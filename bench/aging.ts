import { readdirSync, readlinkSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { benchDir, detectPinning, runLoad, startChild, type ChildHandle } from './lib/children.ts';
import { benchClientId, newRefreshFamilies, prepareGatehouse } from './lib/gatehouse-client.ts';

/**
 * Does a Gatehouse server get slower over its lifetime? One server (bench/servers/gatehouse.ts),
 * the refresh grant measured at a fixed rate (server CPU per grant), then aged by each load of
 * `npm run bench` in turn (logins, session checks, forward auth, unthrottled refresh grants), the
 * refresh grant measured again after each step.
 *
 *   node bench/aging.ts [--rate 3000] [--duration 4] [--cycles 3] [--steps login,session,refresh] [--control 6]
 *
 * `--control n`: after the cycles, a fresh server of the same build is started and the refresh
 * grant is measured n times on each, aged and fresh in turn, at the same rate: what slows the
 * machine meanwhile (other processes, the host) slows both alike, so the ratio of their CPU per
 * grant is the aging itself, which a series of figures over time cannot tell from a slower minute.
 */
const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '3000' },
    duration: { type: 'string', default: '4' },
    cycles: { type: 'string', default: '3' },
    steps: { type: 'string', default: 'login,session,forward,refresh' },
    checkout: { type: 'string' },
    control: { type: 'string', default: '0' },
  },
});
const rate = Number(flags.rate);
const duration = Number(flags.duration);

function serverFacts(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1] ?? '0';
  let files = '';
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (/gatehouse-bench-.*\.(db|sqlite)(-wal)?$/.test(target) || /gatehouse-bench-[^/]*\/[^/]*$/.test(target)) {
      try {
        files += ` ${target.split('/').pop()}=${(statSync(target).size / 1e6).toFixed(1)}MB`;
      } catch {}
    }
  }
  return `rss ${(Number(rss) / 1024).toFixed(0)} MB${[...new Set(files.split(' '))].join(' ')}`;
}

/** The kernel's I/O counters of a process (all its threads): bytes and system calls, whatever the machine's load. */
function processIo(pid: number): Record<string, number> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [key, value] = line.split(': ');
        return [key as string, Number(value)];
      }),
  );
}

async function measureRefresh(server: ChildHandle, url: string, account: { email: string; password: string }, label: string, overallRate?: number): Promise<number> {
  const tokens = (await newRefreshFamilies(url, account, 100)).map((f) => f.refreshToken);
  const io0 = processIo(server.pid);
  const before = await server.cpu();
  const summary = await runLoad(pinning.loadCore, {
    url: `${url}/v1/token`,
    connections: 50,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    refreshChain: { clientId: benchClientId, tokens },
    durationSeconds: duration,
    ...(overallRate === undefined || overallRate === 0 ? {} : { overallRate }),
  });
  const after = await server.cpu();
  const io1 = processIo(server.pid);
  const per = (key: string): number => ((io1[key] ?? 0) - (io0[key] ?? 0)) / Math.max(1, summary.ok);
  const micros = after.userMicros - before.userMicros + after.systemMicros - before.systemMicros;
  const wall = after.monotonicMicros - before.monotonicMicros;
  console.log(
    `  ${label.padEnd(28)} ${summary.okPerSecond.toFixed(0).padStart(6)} grants/s  cpu ${(micros / Math.max(1, summary.ok)).toFixed(1).padStart(6)} us/grant  server ${((micros / wall) * 100).toFixed(0)}%  p99 ${summary.latencyP99Ms} ms  non2xx ${summary.non2xx}  written ${(per('wchar') / 1024).toFixed(1)} KB/grant, read ${(per('rchar') / 1024).toFixed(1)} KB/grant, syscalls ${per('syscw').toFixed(1)} w + ${per('syscr').toFixed(1)} r  ${serverFacts(server.pid)}`,
  );
  return micros / Math.max(1, summary.ok);
}

const pinning = detectPinning();
async function main(): Promise<void> {
  // `--checkout a,b`: one server per checkout (a `git worktree` of another build), aged alike, step by step in turn.
  const checkouts = (flags.checkout ?? '').split(',').filter((c) => c !== '');
  const builds = checkouts.length === 0 ? [undefined] : checkouts.map((c) => (c === '.' ? undefined : c));
  console.log(`aging: refresh at ${rate}/s for ${duration} s between steps; ${pinning.description}`);
  const servers: { label: string; server: ChildHandle; url: string; prepared: Awaited<ReturnType<typeof prepareGatehouse>> }[] = [];
  try {
    for (const checkout of builds) {
      const server = await startChild({
        name: `gatehouse ${checkout ?? '(this checkout)'}`,
        script: checkout === undefined ? 'servers/gatehouse.ts' : relative(benchDir, join(checkout, 'bench', 'servers', 'gatehouse.ts')),
        core: pinning.serverCore,
        readyTimeoutMs: 60_000,
      });
      const url = `http://127.0.0.1:${String(server.port)}`;
      servers.push({ label: checkout ?? '.', server, url, prepared: await prepareGatehouse(url, 5, 24) });
    }
    const each = async (what: (s: (typeof servers)[number], tag: string) => Promise<unknown>): Promise<void> => {
      for (const s of servers) await what(s, servers.length > 1 ? `[${s.label}] ` : '');
    };
    const account = (s: (typeof servers)[number]) => s.prepared.accounts[0] as { email: string; password: string };
    await each((s, tag) => measureRefresh(s.server, s.url, account(s), `${tag}fresh (warm-up)`, rate));
    await each((s, tag) => measureRefresh(s.server, s.url, account(s), `${tag}fresh`, rate));
    const steps = (flags.steps ?? '').split(',');
    for (let cycle = 1; cycle <= Number(flags.cycles); cycle += 1) {
      for (const step of steps) {
        await each(async ({ server, url, prepared }, tag) => {
          const base = { connections: 50, durationSeconds: 5 };
          if (step === 'login') {
            await runLoad(pinning.loadCore, { ...base, connections: 10, url: `${url}/v1/session`, method: 'POST', headers: { 'content-type': 'application/json' }, bodies: prepared.accounts.map((a) => JSON.stringify(a)) });
          } else if (step === 'session') {
            await runLoad(pinning.loadCore, { ...base, url: `${url}/v1/session`, method: 'GET', headers: { cookie: prepared.sessionCookie } });
          } else if (step === 'forward') {
            await runLoad(pinning.loadCore, {
              ...base,
              url: `${url}/v1/auth/check`,
              method: 'GET',
              headers: { cookie: prepared.sessionCookie, 'x-forwarded-proto': 'http', 'x-forwarded-host': `localhost:${String(server.port)}`, 'x-forwarded-uri': '/app/reports?q=1' },
            });
          } else if (step === 'refresh') {
            await measureRefresh(server, url, account({ server, url, prepared, label: '' }), `${tag}cycle ${cycle}: unthrottled`);
            return;
          } else if (step === 'idle') {
            await new Promise((r) => setTimeout(r, 5000));
          }
          if (rate > 0) await measureRefresh(server, url, account({ server, url, prepared, label: '' }), `${tag}cycle ${cycle}: after ${step}`, rate);
        });
      }
    }
    const controls = Number(flags.control);
    if (controls > 0) {
      const aged = servers[0] as (typeof servers)[number];
      const server = await startChild({ name: 'gatehouse (fresh control)', script: 'servers/gatehouse.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 });
      const url = `http://127.0.0.1:${String(server.port)}`;
      const fresh = { label: 'fresh control', server, url, prepared: await prepareGatehouse(url, 5, 24) };
      servers.push(fresh);
      await measureRefresh(fresh.server, fresh.url, account(fresh), 'control: warm-up', rate);
      const ratios: number[] = [];
      for (let i = 1; i <= controls; i += 1) {
        const pair = i % 2 === 0 ? [fresh, aged] : [aged, fresh];
        const cpu = new Map<string, number>();
        for (const s of pair) cpu.set(s.label, await measureRefresh(s.server, s.url, account(s), `control ${i}: ${s === fresh ? 'fresh' : 'aged'}`, rate));
        ratios.push((cpu.get(aged.label) as number) / (cpu.get(fresh.label) as number));
      }
      const sorted = [...ratios].sort((a, b) => a - b);
      console.log(`  aged/fresh CPU per grant: median ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(3)}x; pairs ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.server.stop(15_000)));
  }
}
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
