import { argon2, randomBytes } from 'node:crypto';
import type { HashRunRequest, RunRequest, RunResult } from '../lib/protocol.ts';
import { serveParent } from '../servers/child.ts';

/**
 * The bare argon2id hash rate: crypto.argon2 (async, on the libuv thread pool, as the server
 * does it) with the server's parameters, salt and tag sizes, keeping `concurrency` hashes in
 * flight. bench/run.ts pins this process to the server's core, so pool threads compete for
 * that one core exactly as they do inside the server.
 */

const saltBytes = 16;
const tagBytes = 32;

function hashOnce(password: string, request: HashRunRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    argon2(
      'argon2id',
      {
        message: password,
        nonce: randomBytes(saltBytes),
        memory: request.memoryKiB,
        passes: request.passes,
        parallelism: request.parallelism,
        tagLength: tagBytes,
      },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

async function run(request: RunRequest): Promise<RunResult> {
  if (request.kind !== 'argon2id') throw new Error(`the argon2id baseline cannot run ${request.kind}`);
  const password = randomBytes(request.passwordLength).toString('base64url').slice(0, request.passwordLength);
  const startedAt = performance.now();
  const endsAt = startedAt + request.durationSeconds * 1000;
  let hashes = 0;
  // Like autocannon's connections: each lane starts its next hash as soon as one finishes,
  // and only hashes that finish inside the window count.
  const lane = async (): Promise<void> => {
    while (performance.now() < endsAt) {
      await hashOnce(password, request);
      if (performance.now() <= endsAt) hashes += 1;
    }
  };
  await Promise.all(Array.from({ length: request.concurrency }, lane));
  const elapsedSeconds = request.durationSeconds;
  return { operations: hashes, elapsedSeconds, perSecond: hashes / elapsedSeconds };
}

serveParent({ port: null, close: async () => {}, run });
