import Fastify from 'fastify';
import pg from 'pg';
import { pipelinedStatements } from '../../src/storage/sql/postgres-pipeline.ts';
import { serveParent } from './child.ts';

/**
 * The fair baseline of the PostgreSQL session check: fastify hello-world whose one route does the
 * bare lookup of bench/baselines/pg-lookup.ts (`SELECT * FROM sessions WHERE id = $1` as a named
 * statement, rows as arrays, a pool of BENCH_POOL_MAX) for BENCH_SESSION_ID, and answers 200 with
 * one field. The same HTTP load, the same pool, the same database, nothing else: what an HTTP
 * session check cannot beat. Run by bench/scale.ts pinned to the server core, no logger.
 *
 * With BENCH_PIPELINED=1 the lookup goes instead as Gatehouse sends its session check's: on one
 * connection in pipeline mode, those of one event-loop turn in one write
 * (src/storage/sql/postgres-pipeline.ts), for an information row of the same method.
 */
const connectionString = process.env.BENCH_DATABASE as string;
const pool = process.env.BENCH_PIPELINED === '1' ? null : new pg.Pool({ connectionString, max: Number(process.env.BENCH_POOL_MAX ?? '8') });
const pipelined = pool === null ? pipelinedStatements({ connectionString }) : null;
const lookup = { name: 'bench_session_by_id', text: 'SELECT * FROM sessions WHERE id = $1', values: [process.env.BENCH_SESSION_ID as string], rowMode: 'array' as const };
const app = Fastify({ logger: false });
app.get('/', async (_request, reply) => {
  const rowCount = pipelined === null ? (await (pool as pg.Pool).query(lookup)).rowCount : (await pipelined.rows(lookup)).length;
  if (rowCount !== 1) return reply.code(500).send({ error: 'the session row is not there' });
  return { found: true };
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
serveParent({
  port: typeof address === 'object' && address !== null ? address.port : null,
  close: async () => {
    await app.close();
    await pool?.end();
    await pipelined?.close();
  },
});
