import pg from 'pg';

/**
 * The bare PostgreSQL primary-key lookup the session check (without the cache) is measured
 * against: a pg pool of the size the Gatehouse instance uses (BENCH_POOL_MAX), `connections`
 * lookups in flight, each `SELECT * FROM sessions WHERE id = $1` as a named (prepared)
 * statement, for `seconds`. Run by bench/scale.ts pinned to the server core; prints one JSON line.
 *
 *   node bench/baselines/pg-lookup.ts <database url> <session id> <seconds> <connections>
 */
const [url, sessionId, seconds, connections] = process.argv.slice(2) as [string, string, string, string];
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BENCH_POOL_MAX ?? '8') });
const lookup = { name: 'bench_session_by_id', text: 'SELECT * FROM sessions WHERE id = $1', values: [sessionId] };
const run = async (durationMs: number): Promise<number> => {
  const endsAt = performance.now() + durationMs;
  let done = 0;
  await Promise.all(
    Array.from({ length: Number(connections) }, async () => {
      while (performance.now() < endsAt) {
        const result = await pool.query(lookup);
        if (result.rowCount !== 1) throw new Error('the session row is not there');
        if (performance.now() <= endsAt) done += 1;
      }
    }),
  );
  return done / (durationMs / 1000);
};
await run(500); // connections opened, statement prepared on each
const perSecond = await run(Number(seconds) * 1000);
await pool.end();
process.stdout.write(`${JSON.stringify({ perSecond })}\n`);
