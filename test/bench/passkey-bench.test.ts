import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openPasskeyBench, runPasskeyBatch } from '../../bench/lib/passkey-bench.ts';

// The passkey rows of `npm run bench` (and bench/passkey-cpu.ts, bench/wal-pages.ts) set up a
// Gatehouse through the core, as the account page does: a rule added to the core must not leave
// the benchmark unable to start. A few operations of each kind, no timing.
describe('openPasskeyBench', () => {
  it('registers a passkey per lane, then verifies logins of every kind the bench times', async () => {
    const bench = await openPasskeyBench(2);
    try {
      for (const kind of ['passkey-bare', 'passkey-login', 'passkey-login-session'] as const) {
        assert.equal(await runPasskeyBatch(await bench.batch(kind, 2)), 4, kind);
      }
    } finally {
      await bench.close();
    }
  });
});
