// The server side of `npm run soak` (scripts/soak.ts starts it with an IPC channel): the real
// Gatehouse on a fresh SQLite file in a temp folder, configured through loadConfig and V8 tuned like the CLI,
// logging off, trusting loopback's X-Forwarded-For (the load spreads sign-ups over many client
// addresses that way). On each `sample` message it answers with its memory and the event-loop
// delay since the previous sample.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadTestConfig } from '../bench/lib/load-test-config.ts';
import { createClient } from '../src/core/clients/create-client.ts';
import { createGatehouse } from '../src/main.ts';
import { tuneV8ForServing, tuneV8ForStartUp } from '../src/cli/v8-memory.ts';
import { findFreePort } from '../test/support/free-port.ts';

export interface SoakSample {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

// V8 run as `gatehouse serve` runs it (src/cli/gatehouse.ts): set for start-up, then for serving.
tuneV8ForStartUp();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'));
const port = await findFreePort();
const config = loadTestConfig(port, dir, { GATEHOUSE_FORWARD_AUTH_RULES: `http://localhost:${port}/app` });
const gatehouse = await createGatehouse(config);
await gatehouse.app.listen({ host: config.host, port: config.port });
tuneV8ForServing();
await createClient(gatehouse.deps, { id: 'soak-web', name: 'Soak web app', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.soak.invalid' });

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

let closing = false;
const close = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  try {
    await gatehouse.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
};
process.on('message', (message: { type: string }) => {
  if (message.type === 'sample') {
    const memory = process.memoryUsage();
    const sample: SoakSample = {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: delay.max / 1e6,
    };
    delay.reset();
    process.send?.({ type: 'sample', sample });
  } else if (message.type === 'stop') void close();
});
process.on('disconnect', () => void close());
process.once('SIGTERM', () => void close());
process.once('SIGINT', () => void close());
process.send?.({ type: 'ready', port });
