import type { Argon2idKdf } from './argon2id.ts';

/**
 * `kdf` with at most `slots` computations running at once; the others wait their turn, first
 * come first served. argon2id is CPU-bound and holds its whole memory cost (19 MiB at OWASP's
 * minimum) while it runs, so hashes beyond the CPU count add no throughput: they only add memory
 * (a burst of logins on libuv's four threads held ~76 MiB at once) and occupy the thread pool that
 * file and DNS work share. main.ts gives one slot per CPU this process may use.
 */
export function withHashSlots(kdf: Argon2idKdf, slots: number): Argon2idKdf {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError('hash slots: a positive integer');
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next === undefined) running--;
    else next();
  };
  return async (password, salt, params, tagLength) => {
    if (running < slots) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await kdf(password, salt, params, tagLength);
    } finally {
      release();
    }
  };
}
