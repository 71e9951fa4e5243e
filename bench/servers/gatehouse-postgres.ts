import { loadConfig } from '../../src/config/load-config.ts';
import { createClient } from '../../src/core/clients/create-client.ts';
import { tuneV8ForServing } from '../../src/cli/v8-memory.ts';
import { createGatehouse } from '../../src/main.ts';
import { serveParent } from './child.ts';

/**
 * The real Gatehouse app on PostgreSQL (+ Redis when BENCH_REDIS is set), for bench/scale.ts.
 * Several of these may share one database (the multi-instance figure); they share the secret
 * (BENCH_SECRET) and the public URL, as instances behind one reverse proxy do. Logging off.
 */
const port = Number(process.env.BENCH_PORT);
const config = loadConfig({
  env: {
    PORT: String(port),
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_DATABASE: process.env.BENCH_DATABASE as string,
    ...(process.env.BENCH_REDIS === undefined ? {} : { GATEHOUSE_REDIS: process.env.BENCH_REDIS, GATEHOUSE_REDIS_KEY_PREFIX: 'gatehouse-bench:' }),
    GATEHOUSE_SECRET: process.env.BENCH_SECRET as string,
    GATEHOUSE_PUBLIC_URL: process.env.BENCH_PUBLIC_URL as string,
    GATEHOUSE_POSTGRES_POOL_MAX: process.env.BENCH_POOL_MAX ?? '8',
    GATEHOUSE_LOG_LEVEL: 'silent',
    GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
    // The token benchmarks sign with ES256, named here so the figure does not move with the default.
    GATEHOUSE_TOKEN_ALGORITHM: process.env.BENCH_TOKEN_ALGORITHM ?? 'ES256',
    ...(process.env.BENCH_SESSION_CACHE_MS === undefined ? {} : { GATEHOUSE_SESSION_CACHE_MS: process.env.BENCH_SESSION_CACHE_MS }),
  },
});
const gatehouse = await createGatehouse(config);
// The client the refresh-grant benchmark uses; the first instance to start creates it.
await createClient(gatehouse.deps, { id: 'bench-web', name: 'Bench', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' }).catch(
  (error: unknown) => {
    if ((error as { code?: string }).code !== 'client_id_taken') throw error;
  },
);
await gatehouse.app.listen({ host: config.host, port });
// V8 as `gatehouse serve` runs it once listening (src/cli/v8-memory.ts), so the figures are those of what ships.
tuneV8ForServing();
serveParent({ port, close: () => gatehouse.close() });
