import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { loadConfig } from '../../src/config/load-config.ts';
import { systemRandom } from '../../src/core/clock.ts';
import { finishPasskeyLogin, startPasskeyLogin, verifyPasskeyLogin } from '../../src/core/passkeys/passkey-login.ts';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../src/core/passkeys/register-passkey.ts';
import { startSession } from '../../src/core/sessions/start-session.ts';
import { randomId } from '../../src/core/sessions/session-token.ts';
import { createGatehouse } from '../../src/main.ts';
import { createSoftAuthenticator } from '../../test/support/soft-authenticator.ts';
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

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-passkeys-'));
const config = loadConfig({
  env: {
    GATEHOUSE_DATABASE: join(dir, 'gatehouse.db'),
    GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
    GATEHOUSE_PUBLIC_URL: 'http://localhost:3000',
    GATEHOUSE_LOG_LEVEL: 'silent',
    GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
  },
});
const gatehouse = await createGatehouse(config);
const { deps } = gatehouse;
const context = { ip: '127.0.0.1', userAgent: 'bench' };
/** Answers in flight at once, as a server has them from concurrent requests (the same for both sides). */
const lanes = 10;
// One authenticator (one passkey) per lane: one passkey's answers must arrive in counter order.
const authenticators = Array.from({ length: lanes }, () => createSoftAuthenticator({ origin: config.publicUrl }));
const authenticator = authenticators[0] as (typeof authenticators)[number];

// One account with one passkey, registered through the core as the account page does.
const nowMs = deps.clock.nowMs();
const user = { id: randomId(systemRandom), email: 'passkey-bench@example.com', passwordHash: null, createdAtMs: nowMs, updatedAtMs: nowMs, disabledAtMs: null };
await deps.store.users.create(user);
const started = await deps.store.transaction((tx) => startSession(deps, tx, user.id, context, { amr: ['pwd'] }));
const current = { user, session: started.session };
let passkey: Awaited<ReturnType<typeof finishPasskeyRegistration>> | undefined;
for (const each of authenticators) {
  const registration = await startPasskeyRegistration(deps, current, context);
  const registered = await finishPasskeyRegistration(deps, current, { ceremonyToken: registration.ceremonyToken, response: each.register(registration.options) }, context);
  passkey ??= registered;
}
if (passkey === undefined) throw new Error('no passkey registered');
const credential = { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: [] };

const perLane = 30;

/** Times batches of work: `lanes` lists run side by side, each in order. */
async function timeBatches(durationMs: number, prepare: () => Promise<Array<Array<() => Promise<unknown>>>>): Promise<RunResult> {
  let operations = 0;
  let timedMs = 0;
  while (timedMs < durationMs) {
    const batch = await prepare();
    const startedAt = performance.now();
    await Promise.all(
      batch.map(async (list) => {
        for (const work of list) await work();
      }),
    );
    timedMs += performance.now() - startedAt;
    operations += batch.reduce((n, list) => n + list.length, 0);
  }
  const elapsedSeconds = timedMs / 1000;
  return { operations, elapsedSeconds, perSecond: operations / elapsedSeconds };
}

async function run(request: RunRequest): Promise<RunResult> {
  const durationMs = request.durationSeconds * 1000;
  if (request.kind === 'passkey-bare') {
    const options = (await startPasskeyLogin(deps)).options;
    return timeBatches(durationMs, async () =>
      Array.from({ length: lanes }, () =>
        Array.from({ length: perLane }, () => {
          const response: AuthenticationResponseJSON = authenticator.assert(options);
          return () =>
            verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: config.publicUrl, expectedRPID: deps.passkeys.rpId, credential, requireUserVerification: true });
        }),
      ),
    );
  }
  if (request.kind === 'passkey-login' || request.kind === 'passkey-login-session') {
    const finish = request.kind === 'passkey-login' ? verifyPasskeyLogin : finishPasskeyLogin;
    return timeBatches(durationMs, async () => {
      const batch: Array<Array<() => Promise<unknown>>> = [];
      for (const each of authenticators) {
        const list: Array<() => Promise<unknown>> = [];
        for (let i = 0; i < perLane; i += 1) {
          const { ceremonyToken, options } = await startPasskeyLogin(deps);
          const response = each.assert(options);
          list.push(() => finish(deps, { ceremonyToken, response }, context));
        }
        batch.push(list);
      }
      return batch;
    });
  }
  throw new Error(`this child cannot run ${request.kind}`);
}

serveParent({
  port: null,
  async close() {
    await gatehouse.close();
    rmSync(dir, { recursive: true, force: true });
  },
  run,
});
