import { openPasskeyBench, runPasskeyBatch, type PasskeyBatch } from '../lib/passkey-bench.ts';
import type { RunRequest, RunResult } from '../lib/protocol.ts';
import { serveParent } from '../servers/child.ts';

/**
 * Passkey login verification, in a child pinned like the server:
 *
 * - passkey-bare: @simplewebauthn/server's verifyAuthenticationResponse alone, on real assertions
 *   (ES256, signed by the software authenticator of test/support, node:crypto), against a fixed
 *   credential: the ceiling.
 * - passkey-login: the server's verification of a passwordless login's answer
 *   (verifyPasskeyLogin), on the real SQLite store of a Gatehouse built as the CLI builds it:
 *   check the ceremony token (MAC), find the passkey, verify the assertion (the same library
 *   call), then in one transaction use the challenge up (single use), write the new counter
 *   (compare-and-set) and audit the use.
 * - passkey-login-session: the same plus starting the session (finishPasskeyLogin), the part every
 *   login method shares; shown for comparison.
 *
 * Assertions and challenges are made in batches outside the timed part (signing is the
 * authenticator's work, not the server's); only the verification is timed, with 10 answers in
 * flight on both sides, as concurrent requests put them on a server (and as the login bench does).
 */

/** Answers in flight at once, as a server has them from concurrent requests (the same for both sides). */
const lanes = 10;
const perLane = 30;
const bench = await openPasskeyBench(lanes);

/** Times batches of work: `lanes` lists run side by side, each in order. */
async function timeBatches(durationMs: number, prepare: () => Promise<PasskeyBatch>): Promise<RunResult> {
  let operations = 0;
  let timedMs = 0;
  while (timedMs < durationMs) {
    const batch = await prepare();
    const startedAt = performance.now();
    operations += await runPasskeyBatch(batch);
    timedMs += performance.now() - startedAt;
  }
  const elapsedSeconds = timedMs / 1000;
  return { operations, elapsedSeconds, perSecond: operations / elapsedSeconds };
}

async function run(request: RunRequest): Promise<RunResult> {
  if (request.kind !== 'passkey-bare' && request.kind !== 'passkey-login' && request.kind !== 'passkey-login-session') throw new Error(`this child cannot run ${request.kind}`);
  const kind = request.kind;
  return timeBatches(request.durationSeconds * 1000, () => bench.batch(kind, perLane));
}

serveParent({
  port: null,
  close: () => bench.close(),
  run,
});
