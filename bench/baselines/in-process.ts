import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { RunRequest, RunResult } from '../lib/protocol.ts';
import { makeFixture, runVerifyCase, type Fixture } from '../lib/verify-cases.ts';
import { serveParent } from '../servers/child.ts';

/**
 * In-process rates, in a child that bench/run.ts pins to the server's core:
 *
 * - jose-sign: the raw jose EdDSA sign rate, an access token shaped like Gatehouse's (same
 *   header, same claims) signed with an imported Ed25519 key, `concurrency` signs in flight
 *   (the server has as many requests in flight). The ceiling under the refresh grant.
 * - verify: the SDK verify cases (bench/lib/verify-cases.ts), EdDSA, the default algorithm.
 */

const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
await exportJWK(privateKey);
let fixture: Fixture | undefined;

async function sign(): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'bench-web', scope: '', sid: 'wV4s0hJQe5nC8cQm1u2gCw' })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k_2f9c1a7e3b5d4c6a8e0f1b2c', typ: 'at+jwt' })
    .setIssuer('http://localhost:3000')
    .setSubject('u2Bq1k9zZ3m1cT0p8xYwVg')
    .setAudience('https://api.bench.invalid')
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 300)
    .setJti('Jt7rQm0bXn2k4sH6vW8yZa')
    .sign(privateKey);
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
  const lane = async (): Promise<void> => {
    while (performance.now() < endsAt) {
      await sign();
      if (performance.now() <= endsAt) signed += 1;
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, lane));
  return { operations: signed, elapsedSeconds: request.durationSeconds, perSecond: signed / request.durationSeconds };
}

serveParent({ port: null, close: async () => {}, run });
