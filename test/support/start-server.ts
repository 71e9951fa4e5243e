import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type GatehouseConfig } from '../../src/config/load-config.ts';
import { createGatehouse, type Gatehouse } from '../../src/main.ts';
import { findFreePort } from './free-port.ts';
import type { Clock } from '../../src/core/ports.ts';

export interface TestServerOptions {
  /** Extra settings, by environment variable name; they win over the defaults below. */
  env?: Readonly<Record<string, string>>;
  /** The server's clock (the real one unless given): the TOTP browser test moves it by steps. */
  clock?: Clock;
}

export interface TestServer {
  /** The public origin, `http://localhost:PORT`, with no trailing slash. */
  url: string;
  config: GatehouseConfig;
  gatehouse: Gatehouse;
  /** Stops the server, closes the database and deletes the temporary folder. */
  close(): Promise<void>;
}

/**
 * Starts a real Gatehouse (SQLite file, HTTP listener on 127.0.0.1) in a fresh temporary
 * folder, with its own random secret and silent logs. The environment of the test process is
 * not read, so a developer's GATEHOUSE_* variables cannot leak in.
 *
 * @example
 * const server = await startTestServer();
 * after(() => server.close());
 * const response = await fetch(`${server.url}/healthz`);
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const port = await findFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  let gatehouse: Gatehouse | undefined;
  try {
    const config = loadConfig({
      env: {
        PORT: String(port),
        GATEHOUSE_PUBLIC_URL: `http://localhost:${port}`,
        GATEHOUSE_DATABASE: join(dir, 'gatehouse.db'),
        // 32 random bytes: 43 base64url characters, above the 32-character minimum.
        GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
        GATEHOUSE_LOG_LEVEL: 'silent',
        GATEHOUSE_HOST: '127.0.0.1',
        // Tests about other things sign up and log in without a mail round trip; mail tests set it.
        GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
        ...options.env,
      },
    });
    gatehouse = await createGatehouse(config, undefined, options.clock);
    await gatehouse.app.listen({ host: config.host, port: config.port });
    const started = gatehouse;
    let closing: Promise<void> | undefined;
    return {
      url: config.publicUrl,
      config,
      gatehouse: started,
      close() {
        // Idempotent, so a test may close early and still keep its after() hook.
        closing ??= started.close().finally(removeDir);
        return closing;
      },
    };
  } catch (error) {
    await gatehouse?.close().catch(() => undefined);
    removeDir();
    throw error;
  }
}
