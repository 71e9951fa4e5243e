import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sessionCookieName } from '../../src/http/session-cookie.ts';

/**
 * Runs the real `gatehouse` CLI (`node src/cli/main.ts ...`) as a child process, the way an
 * operator does, for the CLI and durability tests. Everything is event-driven: a command is
 * awaited on its `close` event, a server on its start-up banner; nothing sleeps.
 */

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The pinned Node 24 from devDependencies, whatever `node` is on PATH. */
export const pinnedNode = join(repoRoot, 'node_modules', '.bin', 'node');
const cliEntry = join(repoRoot, 'src', 'cli', 'main.ts');
/**
 * Node's on-disk code cache for the children: every CLI run loads fastify, kysely and pino
 * afresh, and the cache about halves that start-up CPU. It lives with other tool caches under
 * node_modules/.cache (not in git); Node keys it by version and source, so it is never stale.
 */
const compileCache = join(repoRoot, 'node_modules', '.cache', 'gatehouse-test-compile-cache');

/** The Origin every state-changing request sends; the public URL the CLI tests configure. */
export const cliPublicUrl = 'http://localhost:1';

export interface TempDir {
  path: string;
  database: string;
  remove(): void;
}

/** A fresh folder for one test's SQLite file; `remove()` is idempotent. */
export function makeTempDir(prefix = 'gatehouse-cli-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, database: join(path, 'gatehouse.db'), remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The environment of a child: built from scratch, so neither a developer's GATEHOUSE_* nor
 * the test runner's NODE_TEST_CONTEXT leaks in. Pass `undefined` to leave a variable out.
 */
export function cliEnv(database: string, extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    NODE_COMPILE_CACHE: compileCache,
    GATEHOUSE_DATABASE: database,
    // 32 random bytes: 43 base64url characters, above the 32-character minimum.
    GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
    GATEHOUSE_PUBLIC_URL: cliPublicUrl,
    GATEHOUSE_LOG_LEVEL: 'silent',
    GATEHOUSE_HOST: '127.0.0.1',
    // Tests about sessions sign up and log in without a mail round trip.
    GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one CLI command to completion. `stdin` is written and closed (for --password-stdin);
 * without it stdin is closed at once, so a command that reads it never waits for a terminal.
 */
export function runCli(args: readonly string[], options: { env: Record<string, string>; stdin?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(pinnedNode, [cliEntry, ...args], { cwd: repoRoot, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Like runCli, but fails the test with the command's output when it does not exit 0. */
export async function runCliOk(args: readonly string[], options: { env: Record<string, string>; stdin?: string }): Promise<string> {
  const result = await runCli(args, options);
  if (result.code !== 0) throw new Error(`gatehouse ${args.join(' ')} exited ${String(result.code)}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result.stdout;
}

/**
 * The rows of a CLI table (src/cli/table.ts), keyed by the lower-cased header; `-` cells are ''.
 * `(none)` or another parenthesised message gives no rows.
 */
export function tableRows(stdout: string): Array<Record<string, string>> {
  const lines = stdout.split('\n').filter((line) => line !== '');
  const [header, ...rows] = lines.map((line) => Array.from(line));
  if (header === undefined || header[0] === '(') return [];
  // Columns start where a header name starts after two or more spaces (names may hold one space).
  const starts = [0];
  for (let i = 2; i < header.length; i += 1) if (header[i] !== ' ' && header[i - 1] === ' ' && header[i - 2] === ' ') starts.push(i);
  const cells = (line: string[]): string[] => starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length).join('').trim());
  const names = cells(header).map((name) => name.toLowerCase());
  return rows.map((row) => Object.fromEntries(cells(row).map((cell, i) => [names[i]!, cell === '-' ? '' : cell] as const)));
}

export interface ServeProcess {
  /** Where the child listens, from its banner, e.g. `http://127.0.0.1:41234`. */
  url: string;
  child: ChildProcess;
  /** Sends `signal` (SIGKILL by default) and resolves once the process is gone. Idempotent. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ServeProcess>();

/**
 * Starts `gatehouse serve` on a port the kernel picks (PORT=0: no race for a free port) and
 * resolves when it prints its banner, which it does only after `listen()` resolved. Rejects
 * with the child's stderr if it exits first.
 */
export function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(pinnedNode, [cliEntry, 'serve'], { cwd: repoRoot, env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const serve: ServeProcess = {
    url: '',
    child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      live.delete(serve);
    },
  };
  live.add(serve);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const onData = (chunk: string): void => {
      stdout += chunk;
      const match = /listening on (http:\/\/[^\s)]+)\)/.exec(stdout);
      if (match?.[1] !== undefined) {
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        // Keep draining stdout so a chatty child never blocks on a full pipe.
        child.stdout.resume();
        serve.url = match[1];
        resolve(serve);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      live.delete(serve);
      reject(new Error(`gatehouse serve exited (${String(code ?? signal)}) before its banner\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
}

/** Kills every server child still running: for after() hooks, so no test leaves one behind. */
export async function killAllServes(): Promise<void> {
  await Promise.all([...live].map((serve) => serve.kill('SIGKILL')));
}

export interface ApiResponse {
  status: number;
  contentType: string;
  body: unknown;
  /** The session token set by this response, or undefined (a cleared cookie counts as none). */
  sessionToken: string | undefined;
  setCookies: string[];
}

/** A user agent the tests can find again in the audit trail and the session list. */
export const testUserAgent = 'gatehouse-test-agent/1.0';

/**
 * One JSON request to a running server, with the headers a same-origin browser sends
 * (`origin` is the configured public URL, which the CSRF check compares against).
 */
export async function api(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { token?: string; body?: unknown; origin?: string; userAgent?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { 'user-agent': options.userAgent ?? testUserAgent };
  if (method !== 'GET') headers.origin = options.origin ?? cliPublicUrl;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.cookie = `${sessionCookieName}=${options.token}`;
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const setCookies = response.headers.getSetCookie();
  const prefix = `${sessionCookieName}=`;
  const value = setCookies.find((c) => c.startsWith(prefix))?.slice(prefix.length).split(';')[0];
  return {
    status: response.status,
    contentType,
    body: text === '' ? undefined : contentType.includes('json') ? JSON.parse(text) : text,
    sessionToken: value === undefined || value === '' ? undefined : value,
    setCookies,
  };
}

/**
 * Signs up over HTTP, logs in, and returns the new session's token and id. Sign-up itself never
 * logs in; the servers of these tests let an unverified account log in (see cliEnv).
 */
export async function signUpOverHttp(baseUrl: string, email: string, password: string): Promise<{ token: string; sessionId: string }> {
  const response = await api(baseUrl, 'POST', '/v1/users', { body: { email, password } });
  if (response.status !== 202) throw new Error(`sign-up failed: ${response.status} ${JSON.stringify(response.body)}`);
  return logInOverHttp(baseUrl, email, password);
}

/** Logs in over HTTP and returns the new session's token and id. */
export async function logInOverHttp(baseUrl: string, email: string, password: string, userAgent?: string): Promise<{ token: string; sessionId: string }> {
  const response = await api(baseUrl, 'POST', '/v1/session', { body: { email, password }, ...(userAgent === undefined ? {} : { userAgent }) });
  if (response.status !== 200 || response.sessionToken === undefined) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { token: response.sessionToken, sessionId: (response.body as { session: { id: string } }).session.id };
}

/** The problem `code` of an error response, or undefined. */
export function problemCode(response: ApiResponse): string | undefined {
  const body = response.body as { code?: unknown } | undefined;
  return typeof body?.code === 'string' ? body.code : undefined;
}
