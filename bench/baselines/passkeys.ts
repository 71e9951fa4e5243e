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
 *   take the challenge (single use), find the passkey, verify the assertion (the same library
 *   call), write the new counter (compare-and-set) and audit the use.
 * - passkey-login-session: the same plus starting the session (finishPasskeyLogin), the part every
 *   login method shares; shown for comparison.
 *
 * Assertions and challenges are made in batches outside the timed part (signing is the
 * authenticator's work, not the server's); only the verification is timed.
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
const authenticator = createSoftAuthenticator({ origin: config.publicUrl });

// One account with one passkey, registered through the core as the account page does.
const nowMs = deps.clock.nowMs();
const user = { id: randomId(systemRandom), email: 'passkey-bench@example.com', passwordHash: null, createdAtMs: nowMs, updatedAtMs: nowMs, disabledAtMs: null };
await deps.store.users.create(user);
const started = await deps.store.transaction((tx) => startSession(deps, tx, user.id, context, { amr: ['pwd'] }));
const current = { user, session: started.session };
const registration = await startPasskeyRegistration(deps, current, context);
const passkey = await finishPasskeyRegistration(deps, current, { ceremonySecret: registration.ceremonySecret, response: authenticator.register(registration.options) }, context);
const credential = { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: [] };

const batchSize = 200;

async function timeBatches(durationMs: number, prepare: () => Promise<Array<() => Promise<unknown>>>): Promise<RunResult> {
  let operations = 0;
  let timedMs = 0;
  while (timedMs < durationMs) {
    const batch = await prepare();
    const startedAt = performance.now();
    for (const work of batch) await work();
    timedMs += performance.now() - startedAt;
    operations += batch.length;
  }
  const elapsedSeconds = timedMs / 1000;
  return { operations, elapsedSeconds, perSecond: operations / elapsedSeconds };
}

async function run(request: RunRequest): Promise<RunResult> {
  const durationMs = request.durationSeconds * 1000;
  if (request.kind === 'passkey-bare') {
    const options = (await startPasskeyLogin(deps)).options;
    return timeBatches(durationMs, async () =>
      Array.from({ length: batchSize }, () => {
        const response: AuthenticationResponseJSON = authenticator.assert(options);
        return () =>
          verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: config.publicUrl, expectedRPID: deps.passkeys.rpId, credential, requireUserVerification: true });
      }),
    );
  }
  if (request.kind === 'passkey-login' || request.kind === 'passkey-login-session') {
    const finish = request.kind === 'passkey-login' ? verifyPasskeyLogin : finishPasskeyLogin;
    return timeBatches(durationMs, async () => {
      const batch: Array<() => Promise<unknown>> = [];
      for (let i = 0; i < batchSize; i += 1) {
        const { ceremonySecret, options } = await startPasskeyLogin(deps);
        const response = authenticator.assert(options);
        batch.push(() => finish(deps, { ceremonySecret, response }, context));
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
