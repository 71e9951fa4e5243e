// What a production start-up loads (issue 17, idle memory): modules it has no use for stay unloaded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Builds the whole server (createGatehouse, production mode) in a fresh process and reports what got loaded. */
type Loaded = Record<'undici' | 'pinoPretty' | 'inspector' | 'standardwebhooks' | 'promClient' | 'routes', boolean>;

async function loadedAtStartUp(): Promise<Loaded> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-modules-'));
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load: (url, context, next) => (loaded.push(url), next(url, context)) });
    const { loadConfig } = await import('./src/config/load-config.ts');
    const { createGatehouse } = await import('./src/main.ts');
    const config = loadConfig({ env: { GATEHOUSE_DATABASE: ${JSON.stringify(join(dir, 'g.db'))}, GATEHOUSE_SECRET: 'kq3X9vT2mZ8pL4wR7nB1cY6hJ0dF5gS2aE8uW3iO', GATEHOUSE_PUBLIC_URL: 'https://auth.example.com', GATEHOUSE_LOG_LEVEL: 'silent' } });
    const gatehouse = await createGatehouse(config);
    await gatehouse.app.inject({ method: 'GET', url: '/healthz' });
    const any = (part) => loaded.some((url) => url.includes(part));
    console.log(JSON.stringify({
      undici: process.moduleLoadList.some((name) => name.includes('undici')),
      pinoPretty: any('/node_modules/pino-pretty/'),
      inspector: any('/src/http/inspector/'),
      standardwebhooks: any('/node_modules/standardwebhooks/'),
      promClient: any('/node_modules/prom-client/'),
      routes: any('/src/http/routes/token.ts'),
    }));
    await gatehouse.close();
  `;
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { cwd: join(import.meta.dirname, '..'), timeout: 60_000 });
    return JSON.parse(stdout.trim().split('\n').at(-1) as string) as Loaded;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('createGatehouse: modules loaded at start-up', () => {
  it("loads no module of a feature that is off: node's bundled undici (an ESM import of node:http would load it), pino-pretty (dev mode), the inspector, the webhook signer, prom-client", async () => {
    // `routes` shows the check sees what is loaded: the token route always is.
    assert.deepEqual(await loadedAtStartUp(), { undici: false, pinoPretty: false, inspector: false, standardwebhooks: false, promClient: false, routes: true });
  });
});
