import { generateKeyPairSync } from 'node:crypto';
import { signJwt } from '../../src/core/tokens/sign-jwt.ts';
import type { RunRequest, RunResult } from '../lib/protocol.ts';
import { makeFixture, runVerifyCase, type Fixture } from '../lib/verify-cases.ts';
import { serveParent } from '../servers/child.ts';

/**
 * In-process rates, in a child that bench/run.ts pins to the server's core:
 *
 * - jose-sign (kept as the key name): the raw ES256 sign rate of an access token shaped like
 *   Gatehouse's (same header, same claims), signed the way the server signs (node:crypto,
 *   src/core/tokens/sign-jwt.ts). The ceiling under the refresh grant, which signs one.
 * - verify: the SDK verify cases (bench/lib/verify-cases.ts), EdDSA.
 */

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let fixture: Fixture | undefined;

function sign(): string {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return signJwt(
    { alg: 'ES256', kid: 'k_2f9c1a7e3b5d4c6a8e0f1b2c', typ: 'at+jwt' },
    {
      client_id: 'bench-web',
      scope: '',
      sid: 'wV4s0hJQe5nC8cQm1u2gCw',
      iss: 'http://localhost:3000',
      sub: 'u2Bq1k9zZ3m1cT0p8xYwVg',
      aud: 'https://api.bench.invalid',
      iat: nowSeconds,
      exp: nowSeconds + 300,
      jti: 'Jt7rQm0bXn2k4sH6vW8yZa',
    },
    privateKey,
  );
}

async function run(request: RunRequest): Promise<RunResult> {
  if (request.kind === 'verify') {
    fixture ??= await makeFixture('EdDSA', 5000);
    return runVerifyCase(fixture, request.verifyCase, request.durationSeconds * 1000);
  }
  if (request.kind !== 'jose-sign') throw new Error(`this child cannot run ${request.kind}`);
  const startedAt = performance.now();
  const endsAt = startedAt + request.durationSeconds * 1000;
  let signed = 0;
  // Synchronous, as in the server: no lanes needed.
  while (performance.now() < endsAt) {
    sign();
    signed += 1;
  }
  return { operations: signed, elapsedSeconds: request.durationSeconds, perSecond: signed / request.durationSeconds };
}

serveParent({ port: null, close: async () => {}, run });
