import { systemRandom } from '../../src/core/clock.ts';
import { createArgon2idHasher, owaspMinimumArgon2id, type PasswordHasher } from '../../src/core/credentials/argon2id.ts';

export interface CountingHasher extends PasswordHasher {
  readonly calls: { hash: number; verify: number };
  reset(): void;
}

/** The real argon2id hasher, counting its calls: proves which paths pay for a hash. */
export function createCountingHasher(): CountingHasher {
  const inner = createArgon2idHasher(owaspMinimumArgon2id, systemRandom);
  const calls = { hash: 0, verify: 0 };
  return {
    calls,
    reset() {
      calls.hash = 0;
      calls.verify = 0;
    },
    hash(password) {
      calls.hash++;
      return inner.hash(password);
    },
    verify(stored, password) {
      calls.verify++;
      return inner.verify(stored, password);
    },
  };
}
