import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '../src/core/clients/create-client.ts';
import { refreshTokenGrant } from '../src/core/tokens/grants/refresh-token-grant.ts';
import { createGatehouse } from '../src/main.ts';
import { benchClientId, newRefreshFamilies, prepareGatehouse } from './lib/gatehouse-client.ts';
import { loadTestConfig } from './lib/load-test-config.ts';
import { median } from './lib/report.ts';

/**
 * `node bench/refresh-cpu.ts [--blocks 12] [--lanes 50] [--per-lane 40]`: CPU time
 * (process.cpuUsage: user + system, all threads, the checkpoint worker's too) per refresh grant,
 * in one process, without HTTP: the core operation (refreshTokenGrant) on the server's own
 * store and token keys, as the token route calls it, with `lanes` chains in flight (each
 * presenting the successor it was just given, as `npm run bench` does), on new families for
 * every block. The part of a grant below the route, measured with less noise than over HTTP on
 * a loaded machine: compare two builds by running it in each checkout, alternately.
 */
const { values: flags } = parseArgs({
  options: {
    blocks: { type: 'string', default: '12' },
    lanes: { type: 'string', default: '50' },
    'per-lane': { type: 'string', default: '40' },
  },
});
const lanes = Number(flags.lanes);
const perLane = Number(flags['per-lane']);

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-refresh-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const gatehouse = await createGatehouse(loadTestConfig(port, dir, { GATEHOUSE_TOKEN_ALGORITHM: 'ES256' }));
try {
  await gatehouse.app.listen({ host: '127.0.0.1', port });
  await createClient(gatehouse.deps, { id: benchClientId, name: 'Bench web app', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.bench.invalid' });
  const url = `http://127.0.0.1:${String(port)}`;
  const { accounts } = await prepareGatehouse(url, 1, 24);
  const deps = { ...gatehouse.deps, ...gatehouse.tokens };
  const client = await deps.store.clients.findById(benchClientId);
  if (client === null) throw new Error('no bench client');
  const context = { ip: '127.0.0.1', userAgent: 'bench' };

  const block = async (): Promise<{ total: number; system: number }> => {
    const families = await newRefreshFamilies(url, accounts[0] as (typeof accounts)[number], lanes);
    const before = process.cpuUsage();
    await Promise.all(
      families.map(async (family) => {
        let token = family.refreshToken;
        for (let i = 0; i < perLane; i += 1) {
          const issued = await refreshTokenGrant(deps, client, token, context);
          token = issued.refreshToken as string;
        }
      }),
    );
    const used = process.cpuUsage(before);
    const grants = lanes * perLane;
    return { total: (used.user + used.system) / grants, system: used.system / grants };
  };
  await block(); // warm-up
  const totals: number[] = [];
  const systems: number[] = [];
  for (let b = 0; b < Number(flags.blocks); b += 1) {
    const { total, system } = await block();
    totals.push(total);
    systems.push(system);
  }
  console.log(`refresh grant (core, no HTTP) ${median(totals).toFixed(1)} us CPU/grant (system ${median(systems).toFixed(1)}); blocks ${totals.map((t) => t.toFixed(0)).join(' ')}`);
} finally {
  await gatehouse.close();
  rmSync(dir, { recursive: true, force: true });
}
