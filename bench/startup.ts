import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../test/support/free-port.ts';
import { benchDir, type Pinning } from './lib/children.ts';
import { median, renderSideTable, type SideTableRow } from './lib/report.ts';

/**
 * Start-up and idle memory, as an operator sees them: `gatehouse serve` (bin/gatehouse.js, the
 * installed command) on a new SQLite database, from the process start to the moment it answers
 * GET /healthz, then its RSS after `idleSeconds` of doing nothing. The fastify hello-world is
 * started and measured the same way, as the memory baseline. Each is started `runs` times after
 * one discarded start (which fills Node's compile cache, as any second start of a server would
 * find it); medians reported. Pinned to the server core.
 */

export interface StartupBenchOptions {
  runs: number;
  pinning: Pinning;
  idleSeconds?: number;
}


const targets = { readyMs: 1000, idleRssMb: 110 };

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

/** Starts `args` with node, waits until `url` answers 200, waits idle, reads RSS, stops it. */
async function startOnce(args: string[], env: NodeJS.ProcessEnv, url: string, core: string | null, idleSeconds: number): Promise<{ readyMs: number; rssMb: number }> {
  const command = core === null ? [process.execPath, ...args] : ['taskset', '-c', core, process.execPath, ...args];
  const startedAt = performance.now();
  const child = spawn(command[0] as string, command.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited during start-up: ${stderr}`);
      if (performance.now() - startedAt > 30_000) throw new Error(`${args.join(' ')} not ready after 30 s: ${stderr}`);
      const ok = await fetch(url).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) break;
      await sleep(5);
    }
    const readyMs = performance.now() - startedAt;
    await sleep(idleSeconds * 1000);
    return { readyMs, rssMb: rssMb(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  }
}

export async function startupBenchmarks(options: StartupBenchOptions): Promise<SideTableRow[]> {
  const idleSeconds = options.idleSeconds ?? 3;
  const core = options.pinning.serverCore;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
  // One compile cache for both servers, filled by the discarded first start.
  const env = { ...process.env, NODE_COMPILE_CACHE: join(dir, 'compile-cache') };
  console.log(`\nstart-up and idle memory: ${options.runs} starts each (+1 discarded), RSS after ${idleSeconds} s idle`);
  try {
    const gatehouse: Array<{ readyMs: number; rssMb: number }> = [];
    const hello: Array<{ readyMs: number; rssMb: number }> = [];
    for (let run = 0; run <= options.runs; run++) {
      const port = await findFreePort();
      const gatehouseEnv = {
        ...env,
        PORT: String(port),
        GATEHOUSE_HOST: '127.0.0.1',
        GATEHOUSE_DATABASE: join(dir, `gatehouse-${run}.db`),
        GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
        GATEHOUSE_PUBLIC_URL: `http://localhost:${port}`,
        GATEHOUSE_LOG_LEVEL: 'silent',
      };
      const g = await startOnce([join(benchDir, '..', 'bin', 'gatehouse.js'), 'serve'], gatehouseEnv, `http://127.0.0.1:${port}/healthz`, core, idleSeconds);
      const helloPort = await findFreePort();
      const h = await startOnce([join(benchDir, 'servers', 'hello-standalone.ts')], { ...env, PORT: String(helloPort) }, `http://127.0.0.1:${helloPort}/`, core, idleSeconds);
      if (run === 0) continue;
      gatehouse.push(g);
      hello.push(h);
      console.log(`  run ${run}: gatehouse ready in ${g.readyMs.toFixed(0)} ms, idle RSS ${g.rssMb.toFixed(1)} MB; hello-world ready in ${h.readyMs.toFixed(0)} ms, idle RSS ${h.rssMb.toFixed(1)} MB`);
    }
    const helloRss = median(hello.map((h) => h.rssMb));
    const rss = median(gatehouse.map((g) => g.rssMb));
    const ready = median(gatehouse.map((g) => g.readyMs));
    const verdict = (value: number, limit: number): string => (value <= limit ? 'pass' : `miss (${(((value - limit) / limit) * 100).toFixed(0)}% over)`);
    const rows: SideTableRow[] = [
      { name: 'fastify hello-world idle RSS', value: helloRss, unit: 'MB', runs: hello.map((h) => h.rssMb), baseline: '-', ratio: null, target: '-', result: 'baseline' },
      {
        name: 'gatehouse serve idle RSS (SQLite)',
        value: rss,
        unit: 'MB',
        runs: gatehouse.map((g) => g.rssMb),
        baseline: `${helloRss.toFixed(1)} MB (fastify hello-world)`,
        ratio: rss / helloRss,
        target: `<= ${targets.idleRssMb} MB`,
        result: verdict(rss, targets.idleRssMb),
      },
      {
        name: 'gatehouse serve start-up to ready (SQLite)',
        value: ready,
        unit: 'ms',
        runs: gatehouse.map((g) => g.readyMs),
        baseline: `${median(hello.map((h) => h.readyMs)).toFixed(0)} ms (fastify hello-world)`,
        ratio: ready / median(hello.map((h) => h.readyMs)),
        target: `<= ${targets.readyMs} ms`,
        result: verdict(ready, targets.readyMs),
      },
    ];
    console.log(
      `\n${renderSideTable(rows, { valueDigits: (r) => (r.unit === 'MB' ? 1 : 0), ratioDigits: 2, noRatio: '1 (ref)' })}`,
    );
    console.log('  start-up: process start to the first 200 from /healthz, a new database migrated on the way; compile cache warm (a second start)');
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    writeFileSync(join(benchDir, 'results', 'startup.json'), `${JSON.stringify({ finishedAt: new Date().toISOString(), idleSeconds, rows }, null, 2)}\n`);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
