import { performance } from 'node:perf_hooks';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { validateSession } from '../../core/sessions/validate-session.ts';
import type { RequestRecorder } from './request-recorder.ts';

/** One column of the comparison: the figures measured for one way of remembering a user. */
export interface CompareColumn {
  name: string;
  /** Null when this column could not be measured (then `error` says why). */
  loginMs: number | null;
  loginNote: string;
  serverStores: string[];
  clientHolds: string[];
  /** Microseconds of server-side work per authenticated request, measured now. */
  workMicros: number | null;
  workNote: string;
  /** Milliseconds from "log out" until the credential is refused, measured now. */
  logoutMs: number | null;
  logoutNote: string;
  scaling: string;
  error?: string;
}

/** What the measurements share: the app to drive (in process, through its real routes), the core, the recorder. */
export interface CompareContext {
  app: FastifyInstance;
  deps: CoreDeps;
  recorder: RequestRecorder;
  /** Authenticated requests timed per column: fixed, so a run costs the same every time. */
  iterations: number;
}

export const elapsedMs = (startedAt: number): number => Math.round((performance.now() - startedAt) * 100) / 100;

/** The cookie of `name` a response set. */
export function cookieFrom(response: LightMyRequestResponse, name: string): string | undefined {
  return response.cookies.find((c) => c.name === name && c.value !== '')?.value;
}

/** Times `iterations` session checks of `token` (nothing traced), in microseconds per check. */
export async function timeSessionChecks(context: CompareContext, token: string): Promise<number> {
  return context.recorder.muted(async () => {
    await validateSession(context.deps, token);
    const startedAt = performance.now();
    for (let i = 0; i < context.iterations; i += 1) await validateSession(context.deps, token);
    return Math.round(((performance.now() - startedAt) * 1000) / context.iterations);
  });
}

/** Logs out with the session cookie, then checks it again: how long until it is refused. */
export async function timeLogoutBite(context: CompareContext, cookieName: string, token: string): Promise<number | null> {
  const startedAt = performance.now();
  await context.app.inject({ method: 'DELETE', url: '/v1/session', cookies: { [cookieName]: token } });
  const check = await context.app.inject({ method: 'GET', url: '/v1/session', cookies: { [cookieName]: token } });
  return check.statusCode === 401 ? elapsedMs(startedAt) : null;
}

/** The fields of a stored row, by name: what the server keeps, never the values. */
export function fieldsOf(row: object): string {
  return Object.keys(row).join(', ');
}
