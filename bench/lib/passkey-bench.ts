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

/** What a passkey benchmark times: the bare library call, the login's verification, or the login with its session. */
export type PasskeyWorkKind = 'passkey-bare' | 'passkey-login' | 'passkey-login-session';

/** Lists of work run side by side (`lanes` of them), each list in order. */
export type PasskeyBatch = Array<Array<() => Promise<unknown>>>;

/**
 * A Gatehouse on a fresh SQLite file, built as the CLI builds it, with one account and one
 * passkey per lane (registered through the core as the account page does): one passkey's
 * answers must arrive in counter order, so each lane signs with its own authenticator.
 * `batch` makes the assertions and challenges of one batch, outside any timed part (signing is
 * the authenticator's work, not the server's). Used by bench/baselines/passkeys.ts (the bench
 * rows) and bench/passkey-cpu.ts (CPU per verification).
 */
export async function openPasskeyBench(lanes: number) {
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
  const authenticators = Array.from({ length: lanes }, () => createSoftAuthenticator({ origin: config.publicUrl }));
  const nowMs = deps.clock.nowMs();
  const user = { id: randomId(systemRandom), email: 'passkey-bench@example.com', passwordHash: null, createdAtMs: nowMs, updatedAtMs: nowMs, disabledAtMs: null };
  await deps.store.users.create(user);
  // The owner adds one passkey per lane from a passkey login: once the account has a passkey, a
  // password-only session may not add another (docs/security.md SEC-168).
  const started = await deps.store.transaction((tx) => startSession(deps, tx, user.id, context, { amr: ['hwk', 'user', 'mfa'] }));
  const current = { user, session: started.session };
  let passkey: Awaited<ReturnType<typeof finishPasskeyRegistration>> | undefined;
  for (const each of authenticators) {
    const registration = await startPasskeyRegistration(deps, current, context);
    const registered = await finishPasskeyRegistration(deps, current, { ceremonyToken: registration.ceremonyToken, response: each.register(registration.options) }, context);
    passkey ??= registered;
  }
  if (passkey === undefined) throw new Error('no passkey registered');
  const credential = { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: [] };
  const first = authenticators[0] as (typeof authenticators)[number];

  /** One batch of `kind`: `perLane` answers for each lane. */
  const batch = async (kind: PasskeyWorkKind, perLane: number): Promise<PasskeyBatch> => {
    if (kind === 'passkey-bare') {
      // Against the first lane's fixed credential: the ceiling.
      const options = (await startPasskeyLogin(deps)).options;
      return Array.from({ length: lanes }, () =>
        Array.from({ length: perLane }, () => {
          const response: AuthenticationResponseJSON = first.assert(options);
          return () =>
            verifyAuthenticationResponse({ response, expectedChallenge: options.challenge, expectedOrigin: config.publicUrl, expectedRPID: deps.passkeys.rpId, credential, requireUserVerification: true });
        }),
      );
    }
    const finish = kind === 'passkey-login' ? verifyPasskeyLogin : finishPasskeyLogin;
    const lists: PasskeyBatch = [];
    for (const each of authenticators) {
      const list: Array<() => Promise<unknown>> = [];
      for (let i = 0; i < perLane; i += 1) {
        const { ceremonyToken, options } = await startPasskeyLogin(deps);
        const response = each.assert(options);
        list.push(() => finish(deps, { ceremonyToken, response }, context));
      }
      lists.push(list);
    }
    return lists;
  };

  return {
    batch,
    async close(): Promise<void> {
      await gatehouse.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a batch: its lists side by side, each in order. */
export async function runPasskeyBatch(batch: PasskeyBatch): Promise<number> {
  await Promise.all(
    batch.map(async (list) => {
      for (const work of list) await work();
    }),
  );
  return batch.reduce((n, list) => n + list.length, 0);
}
