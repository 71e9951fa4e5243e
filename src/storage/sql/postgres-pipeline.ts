import pg from 'pg';
import { classifyPostgresError } from './postgres-errors.ts';

/** A named (server-side prepared) statement and its values. */
export interface NamedQuery {
  name: string;
  text: string;
  values: unknown[];
  rowMode?: 'array';
}

export interface PipelinedStatements {
  /** The rows of one read, or StorageUnavailableError when PostgreSQL cannot be reached. */
  rows<Row>(query: NamedQuery): Promise<Row[]>;
  /** One statement's rows and row count (a write's), or StorageUnavailableError. */
  run<Row>(query: NamedQuery): Promise<{ rows: Row[]; rowCount: number }>;
  /** Whether the connection is open (for the pool figures of /readyz). */
  connected(): boolean;
  close(): Promise<void>;
}

/**
 * One connection in pg's pipeline mode, for single statements outside transactions: requests in
 * flight at the same time write their statements one behind the other without waiting for each
 * answer, instead of each taking a pooled connection, writing, waiting and handing it back, and
 * the statements asked for in one turn of the event loop leave in one write. Measured here: 15
 * against 35 us of CPU per read in this process, and PostgreSQL's backend wakes up once for many.
 *
 * Each statement is its own implicit transaction (pg ends each with a Sync, and answers only
 * after it: a write is committed before its promise settles), so a failing one fails alone. A
 * transaction can never use it (other requests' statements would run inside it). Two uses:
 * - reads that take no locks (the session check, the token endpoint's client lookup, the refresh
 *   grant's token read);
 * - on a connection of its own, the refresh grant's rotation: one statement, atomic on its own.
 *   It may wait for a row lock held by a pooled transaction (a revocation of that family); the
 *   rotations queued behind it wait as long, never the reads. No transaction ever waits on this
 *   connection (transactions run their statements on their own pooled connection), so that
 *   wait always ends.
 *
 * The connection is opened on first use and again after it breaks (a restarted server, a
 * statement timeout, which pg answers by closing a pipelined connection); every statement in
 * flight on a broken connection fails with StorageUnavailableError, as a pooled one would. A
 * write that fails so may or may not have committed, as on a pooled connection.
 */
export function pipelinedStatements(config: pg.ClientConfig): PipelinedStatements {
  let current: Promise<pg.Client> | null = null;
  let open = false;
  let closed = false;
  const connect = (): Promise<pg.Client> => {
    // `pipeline` is pg's option (8.23); its type definitions do not name it yet.
    const client = new pg.Client({ ...config, pipeline: true } as pg.ClientConfig);
    const ready = client.connect().then(() => {
      open = true;
      return client;
    });
    const drop = (): void => {
      if (current !== ready) return;
      current = null;
      open = false;
    };
    // Without a listener a dropped connection would crash the process.
    client.on('error', drop);
    client.on('end', drop);
    ready.catch(drop);
    current = ready;
    return ready;
  };
  // The reads asked for in one turn of the event loop (the requests of every socket that was
  // readable) leave in one write: the socket is corked at the first and uncorked once the turn's
  // I/O callbacks are done (setImmediate), so PostgreSQL reads them all in one wake-up.
  let holding = false;
  const holdWrites = (client: pg.Client): void => {
    if (holding) return;
    const stream = (client as unknown as { connection: { stream: NodeJS.WritableStream & { cork(): void; uncork(): void } } }).connection.stream;
    holding = true;
    stream.cork();
    setImmediate(() => {
      holding = false;
      stream.uncork();
    });
  };
  const run = async <Row>(query: NamedQuery): Promise<{ rows: Row[]; rowCount: number }> => {
    if (closed) throw new Error('the PostgreSQL store is closed');
    try {
      const client = await (current ?? connect());
      holdWrites(client);
      const result = await client.query(query as pg.QueryConfig);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      return classifyPostgresError(error);
    }
  };
  return {
    run,
    rows: async <Row>(query: NamedQuery): Promise<Row[]> => (await run<Row>(query)).rows,
    connected: () => open,
    async close() {
      closed = true;
      const pending = current;
      current = null;
      open = false;
      const client = await pending?.catch(() => null);
      await client?.end().catch(() => undefined);
    },
  };
}
