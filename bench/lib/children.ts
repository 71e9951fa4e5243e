import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadMessage, LoadOptions, LoadSummary } from '../load/autocannon.ts';
import type { ChildMessage, CpuTimes, ParentMessage, RunRequest, RunResult } from './protocol.ts';

/**
 * Starting, pinning, talking to and always stopping the benchmark's child processes.
 * Everything started here is tracked and killed when the parent exits, however it exits.
 */

export const benchDir = fileURLToPath(new URL('..', import.meta.url));

export interface Pinning {
  /** The CPU list for `taskset -c`, or null when processes are not pinned. */
  serverCore: string | null;
  loadCore: string | null;
  description: string;
}

function canPin(core: string): boolean {
  const probe = spawnSync('taskset', ['-c', core, 'true'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/** Server on core 0, load generator on core 1 (PERF.md), when taskset exists and both cores are ours. */
export function detectPinning(): Pinning {
  const cores = availableParallelism();
  if (spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status !== 0) {
    return { serverCore: null, loadCore: null, description: `NOT PINNED: taskset not found (${cores} CPUs); server and load generator share the CPUs, ratios are noisier` };
  }
  if (cores < 2 || !canPin('0') || !canPin('1')) {
    return { serverCore: null, loadCore: null, description: `NOT PINNED: cores 0 and 1 are not both available (${cores} CPUs usable); ratios are noisier` };
  }
  return { serverCore: '0', loadCore: '1', description: `pinned with taskset: server (and argon2id baseline) on core 0, load generator on core 1 (${cores} CPUs usable)` };
}

/**
 * Pins a running process and every thread it has to `core` (threads it starts later inherit it).
 * Lets a child start on every core, then be measured on one (bench/inspector-off.ts).
 */
export function pinRunning(pid: number, core: string | null): void {
  if (core === null) return;
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', core, String(pid)], { stdio: 'ignore' });
  if (pinned.error !== undefined || pinned.status !== 0) throw new Error(`taskset could not pin process ${String(pid)} to core ${core}`);
}

const live = new Set<ChildProcess>();

function killAll(signal: NodeJS.Signals): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

let interruptedBy: NodeJS.Signals | null = null;

/** The signal that interrupted the benchmark, if one did (its children are being stopped). */
export function interruption(): NodeJS.Signals | null {
  return interruptedBy;
}

process.on('exit', () => killAll('SIGKILL'));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    interruptedBy = signal;
    process.stderr.write(`\nbench: ${signal}, stopping children\n`);
    killAll('SIGTERM');
    setTimeout(() => process.exit(130), 2000).unref();
  });
}

function launch(script: string, args: readonly string[], core: string | null, nodeArgs: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  const nodeCommand = [process.execPath, ...nodeArgs, script, ...args];
  const [command, ...commandArgs] = core === null ? nodeCommand : ['taskset', '-c', core, ...nodeCommand];
  const child = spawn(command as string, commandArgs, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** The last few KiB a child wrote, for error messages. */
function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail.trim();
}

export interface ChildHandle {
  name: string;
  pid: number;
  port: number | null;
  cpu(): Promise<CpuTimes>;
  /** What the child said about itself when ready (e.g. a client secret it made). */
  info: Record<string, string>;
  run(request: RunRequest): Promise<RunResult>;
  /** Asks the child to close and exit, then waits for it (killing it after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export interface StartChildOptions {
  name: string;
  /** Path under bench/. */
  script: string;
  core: string | null;
  nodeArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/** Starts a long-lived child (a server or the hash baseline) and waits until it says it is ready. */
export async function startChild(options: StartChildOptions): Promise<ChildHandle> {
  const child = launch(`${benchDir}${options.script}`, [], options.core, options.nodeArgs ?? [], options.env ?? process.env);
  const output = captureOutput(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timeoutMs = options.readyTimeoutMs ?? 20_000;

  const { port, info } = await new Promise<{ port: number | null; info: Record<string, string> }>((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      const said = output();
      reject(new Error(`${options.name} (${options.script}) did not start: ${why}${said === '' ? '' : `\n--- its output ---\n${said}\n------------------`}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs / 1000} s`), timeoutMs);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited early (code ${String(code)}, signal ${String(signal)})`));
    child.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'ready' && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ port: message.port, info: message.info ?? {} });
      }
    });
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }>();
  child.on('message', (raw) => {
    const message = raw as ChildMessage;
    if (!('id' in message) || message.id === null) return;
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (message.type === 'error') waiter.reject(new Error(`${options.name}: ${message.message}`));
    else waiter.resolve(message);
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${options.name} exited (code ${String(code)}, signal ${String(signal)})\n${output()}`));
    pending.clear();
  });
  const ask = (message: ParentMessage): Promise<ChildMessage> =>
    new Promise((resolve, reject) => {
      if (!child.connected) {
        reject(new Error(`${options.name} is not running\n${output()}`));
        return;
      }
      pending.set(message.id, { resolve, reject });
      child.send(message);
    });

  return {
    name: options.name,
    pid: child.pid as number,
    port,
    info,
    async cpu() {
      const reply = await ask({ type: 'cpu', id: nextId++ });
      if (reply.type !== 'cpu') throw new Error(`${options.name}: unexpected reply ${reply.type}`);
      return reply.cpu;
    },
    async run(request) {
      const reply = await ask({ type: 'run', id: nextId++, request });
      if (reply.type !== 'result') throw new Error(`${options.name}: unexpected reply ${reply.type}`);
      return reply.result;
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop', id: nextId++ } satisfies ParentMessage);
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A helper process under bench/ (e.g. an SDK verifier), pinned to `core`, tracked like every
 * child (killed when the bench exits), resolved once it sends `{ type: 'ready' }`.
 */
export async function startHelper(script: string, args: readonly string[], core: string | null, timeoutMs = 20_000): Promise<ChildProcess> {
  const child = launch(`${benchDir}${script}`, args, core, [], process.env);
  const output = captureOutput(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} not ready after ${timeoutMs / 1000} s\n${output()}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited early (code ${String(code)}, signal ${String(signal)})\n${output()}`));
    });
    child.on('message', (message: { type?: string }) => {
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve();
    });
  });
  return child;
}

/** One autocannon run in its own process, pinned to the load core. */
export async function runLoad(core: string | null, options: LoadOptions): Promise<LoadSummary> {
  const child = launch(`${benchDir}load/autocannon.ts`, [JSON.stringify(options)], core, [], process.env);
  const output = captureOutput(child);
  const timeoutMs = (options.durationSeconds + 30) * 1000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator did not finish within ${timeoutMs / 1000} s\n${output()}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`load generator exited without a result (code ${String(code)}, signal ${String(signal)})\n${output()}`));
    });
    child.on('message', (raw) => {
      const message = raw as LoadMessage;
      clearTimeout(timer);
      if (message.type === 'result') resolve(message.summary);
      else reject(new Error(`load generator failed: ${message.message}\n${output()}`));
    });
  });
}
