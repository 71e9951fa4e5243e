import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../src/core/clients/create-client.ts';
import { tuneV8ForServing } from '../../src/cli/v8-memory.ts';
import { createGatehouse } from '../../src/main.ts';
import { loadTestConfig } from '../lib/load-test-config.ts';
import { serveParent } from './child.ts';

/**
 * The real Gatehouse app on a fresh SQLite file in a temp folder, configured as every load test
 * is (bench/lib/load-test-config.ts).
 */

/** A free loopback port, known before start-up because the public URL must name it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const removeDir = (): void => rmSync(dir, { recursive: true, force: true });

let gatehouse: Awaited<ReturnType<typeof createGatehouse>> | undefined;
let port = 0;
// The probed port can be taken before we listen on it; try a few.
for (let attempt = 1; gatehouse === undefined; attempt += 1) {
  port = await freePort();
  const config = loadTestConfig(port, dir, {
    // The forward-auth benchmark plays nginx from loopback, in front of an app under /app.
    GATEHOUSE_FORWARD_AUTH_RULES: `http://localhost:${port} session, http://localhost:${port}/app session, http://localhost:${port}/app/admin second-factor`,
    // The token benchmarks sign with ES256, named here so the figure does not move with the default.
    GATEHOUSE_TOKEN_ALGORITHM: process.env.BENCH_TOKEN_ALGORITHM ?? 'ES256',
    ...(process.env.BENCH_SESSION_CACHE_MS === undefined ? {} : { GATEHOUSE_SESSION_CACHE_MS: process.env.BENCH_SESSION_CACHE_MS }),
    // Metrics on (PERF.md: the session check with and without them): BENCH_METRICS_TOKEN=$(openssl rand -base64 32).
    ...(process.env.BENCH_METRICS_TOKEN === undefined ? {} : { GATEHOUSE_METRICS_TOKEN: process.env.BENCH_METRICS_TOKEN }),
  });
  const candidate = await createGatehouse(config);
  try {
    await candidate.app.listen({ host: config.host, port: config.port });
    gatehouse = candidate;
  } catch (error) {
    await candidate.close();
    if (attempt >= 3) {
      removeDir();
      throw error;
    }
  }
}

const running = gatehouse;
// V8 as `gatehouse serve` runs it once listening (src/cli/v8-memory.ts: the young generation's cap),
// so the figures are those of what ships.
tuneV8ForServing();
// PERF.md "inspector off": the baseline is the same build with no recorder wired into the core at
// all (every `deps.trace?.` call short-circuits), against the default, the no-op recorder.
if (process.env.BENCH_INSPECTOR === 'unwired') running.deps.trace = undefined;
// bench/inspector-off.ts reads each server's CPU time and requests received at one moment; only
// its servers count (a second 'request' listener is a little work per request).
let received = 0;
if (process.env.BENCH_COUNT_REQUESTS === '1') running.app.server.on('request', () => (received += 1));
// The public client the token benchmarks use (bench/lib/gatehouse-client.ts names it), and the
// confidential client the revocation benchmark's verifiers follow the feed with.
await createClient(running.deps, { id: 'bench-web', name: 'Bench web app', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.bench.invalid' });
const feedClient = await createClient(running.deps, { id: 'bench-api', name: 'Bench API', type: 'confidential', grantTypes: ['session'], audience: 'https://api.bench.invalid' });
// The relying party of the code-flow benchmark (bench/code-flow.ts): public, PKCE, first-party (no consent page).
const codeFlowClient = await createClient(running.deps, {
  id: 'bench-rp',
  name: 'Bench relying party',
  type: 'public',
  grantTypes: ['authorization_code'],
  redirectUris: ['http://127.0.0.1/callback'],
  skipConsent: true,
  audience: 'https://api.bench.invalid',
});
// The same relying party registered for ES256 ID tokens (the RS256 default costs ~250 us of RSA per token).
const codeFlowEs256Client = await createClient(running.deps, {
  id: 'bench-rp-es256',
  name: 'Bench relying party (ES256 ID tokens)',
  type: 'public',
  grantTypes: ['authorization_code'],
  redirectUris: ['http://127.0.0.1/callback'],
  skipConsent: true,
  audience: 'https://api.bench.invalid',
  idTokenSignedResponseAlg: 'ES256',
});
serveParent({
  port,
  ...(process.env.BENCH_COUNT_REQUESTS === '1' ? { requests: () => received } : {}),
  info: { feedClientId: feedClient.client.id, feedClientSecret: feedClient.secret as string, codeFlowClientId: codeFlowClient.client.id, codeFlowEs256ClientId: codeFlowEs256Client.client.id },
  async close() {
    try {
      await running.close();
    } finally {
      removeDir();
    }
  },
});
