import type { TeachingKey } from './teaching.ts';

/**
 * The trace port: operations say what they decided and why, as structured steps, and the
 * inspector (/dev/inspector) shows them. Nothing here knows about HTTP; which request or
 * browser a step belongs to is the recorder's business (src/http/inspector/request-recorder.ts).
 *
 * A step never carries a secret: no password, token, code, verifier or client secret, and no
 * cookie value. A stored hash is shown as `hashReference()` ("sha256:" and 8 hex digits), a
 * cookie by its name and attributes (docs/security.md SEC-250).
 */

/** What a step's detail may hold: plain, JSON-safe values. */
export type TraceValue = string | number | boolean | null | readonly TraceValue[] | { readonly [key: string]: TraceValue };

/**
 * - `request`: what arrived (method, path, cookie names, the origin check);
 * - `decision`: a check and its result (throttle, password hash, session deadlines, second factor);
 * - `storage`: a row read, created, updated or deleted;
 * - `cookie`: a cookie set or cleared, by name and attributes;
 * - `jwt`: a token issued or verified, header and claims, each check;
 * - `oauth`: a step of a social login (redirect, state, nonce, PKCE challenge, the provider's answer);
 * - `revocation`: a revocation written to the feed and pushed to verifiers;
 * - `response`: what went back.
 */
export type TraceStepKind = 'request' | 'decision' | 'storage' | 'cookie' | 'jwt' | 'oauth' | 'revocation' | 'response';

export interface TraceStep {
  kind: TraceStepKind;
  /** One short line, e.g. "Session valid". */
  title: string;
  /** `ok`: a check passed; `refused`: it failed; `info`: nothing to pass or fail. */
  outcome?: 'ok' | 'refused' | 'info';
  /** Non-secret facts, shown as a table. */
  detail?: { readonly [key: string]: TraceValue };
  /** The standard that asks for this step (src/core/trace/teaching.ts). */
  teach?: TeachingKey;
}

/** Where operations send their steps. */
export interface TraceRecorder {
  /** False for the no-op recorder: a hot path builds a costly step only when someone records it. */
  readonly recording: boolean;
  step(step: TraceStep): void;
}

/** The recorder used when the inspector is off: it keeps nothing. */
export const noTrace: TraceRecorder = Object.freeze({ recording: false, step(): void {} });
