import { randomBytes } from 'node:crypto';
import { systemRandom } from '../../src/core/clock.ts';
import { createArgon2idHasher, nodeCryptoArgon2id, nodeRsArgon2id, type PasswordHasher } from '../../src/core/credentials/argon2id.ts';
import type { HashRunRequest, RunRequest, RunResult } from '../lib/protocol.ts';
import { serveParent } from '../servers/child.ts';

/**
 * The bare argon2id verify rate of each implementation Gatehouse could use, with the server's
 * parameters, salt and tag sizes, keeping `concurrency` verifications in flight. Both run on the
 * libuv thread pool, as the server does it; bench/run.ts pins this process to the server's core,
 * so pool threads compete for that one core exactly as they do inside the server. A verify is
 * the PHC parse, one argon2id computation and a constant-time compare: what a login pays.
 */

const implementations: Record<HashRunRequest['implementation'], typeof nodeRsArgon2id> = {
  'node-rs': nodeRsArgon2id,
  'node-crypto': nodeCryptoArgon2id,
};

async function run(request: RunRequest): Promise<RunResult> {
  if (request.kind !== 'argon2id') throw new Error(`the argon2id baseline cannot run ${request.kind}`);
  const params = { memoryKiB: request.memoryKiB, passes: request.passes, parallelism: request.parallelism };
  const hasher: PasswordHasher = createArgon2idHasher(params, systemRandom, implementations[request.implementation]);
  const password = randomBytes(request.passwordLength).toString('base64url').slice(0, request.passwordLength);
  const stored = await hasher.hash(password);
  const startedAt = performance.now();
  const endsAt = startedAt + request.durationSeconds * 1000;
  let verified = 0;
  // Like autocannon's connections: each lane starts its next verification as soon as one
  // finishes, and only those that finish inside the window count.
  const lane = async (): Promise<void> => {
    while (performance.now() < endsAt) {
      const result = await hasher.verify(stored, password);
      if (!result.matches) throw new Error('the baseline password did not verify');
      if (performance.now() <= endsAt) verified += 1;
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, lane));
  const elapsedSeconds = request.durationSeconds;
  return { operations: verified, elapsedSeconds, perSecond: verified / elapsedSeconds };
}

serveParent({ port: null, close: async () => {}, run });
