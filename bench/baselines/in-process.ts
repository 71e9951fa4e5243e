import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
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
 * - rs256-sign: the raw RSA-2048 (RS256) sign rate of an ID token shaped like Gatehouse's
 *   (src/core/oauth-provider/issue-id-token.ts), with a key made and imported as the server's ID
 *   token ring makes and imports one (jose's RS256 key pair, its private JWK into node:crypto),
 *   signed the way the server signs (sign-jwt.ts). The code flow bench's ceiling row: what one
 *   RS256 signature costs on the server core, in the same run.
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

let rsaKey: KeyObject | undefined;

async function rsaSigningKey(): Promise<KeyObject> {
  if (rsaKey !== undefined) return rsaKey;
  const { privateKey: generated } = await generateKeyPair('RS256', { extractable: true });
  rsaKey = createPrivateKey({ key: (await exportJWK(generated)) as JsonWebKey, format: 'jwk' });
  return rsaKey;
}

function signIdToken(key: KeyObject): string {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return signJwt(
    { alg: 'RS256', kid: 'Xq3v9Lr2Tz8NcB5wYk1mP0hJ4sD6fG7aE2uI9oQ1rWs', typ: 'JWT' },
    {
      iss: 'http://127.0.0.1:3000',
      sub: 'u2Bq1k9zZ3m1cT0p8xYwVg',
      aud: 'bench-rp',
      azp: 'bench-rp',
      iat: nowSeconds,
      exp: nowSeconds + 600,
      auth_time: nowSeconds - 60,
      sid: 'wV4s0hJQe5nC8cQm1u2gCw',
      jti: 'Jt7rQm0bXn2k4sH6vW8yZa',
      acr: 'urn:gatehouse:loa:1',
      amr: ['pwd'],
    },
    key,
  );
}

async function run(request: RunRequest): Promise<RunResult> {
  if (request.kind === 'rs256-sign') {
    const key = await rsaSigningKey();
    signIdToken(key);
    const cpuBefore = process.threadCpuUsage();
    const startedAt = performance.now();
    const endsAt = startedAt + request.durationSeconds * 1000;
    let signed = 0;
    while (performance.now() < endsAt) {
      signIdToken(key);
      signed += 1;
    }
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const cpu = process.threadCpuUsage(cpuBefore);
    return { operations: signed, elapsedSeconds, perSecond: signed / elapsedSeconds, threadCpuSeconds: (cpu.user + cpu.system) / 1e6 };
  }
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
