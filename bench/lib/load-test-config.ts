import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig, type GatehouseConfig } from '../../src/config/load-config.ts';

/**
 * The configuration of a Gatehouse under load (the bench server and `npm run soak`'s server):
 * the real loadConfig, as the CLI would build it, on a fresh SQLite file in `dir`, with a random
 * secret, logging off (pino writing every request would measure the logger, not the server),
 * unverified accounts allowed to log in (the load signs up, then logs in at once), and loopback
 * trusted as the proxy (the load plays nginx for forward auth and spreads clients over
 * X-Forwarded-For). `env` adds or overrides settings.
 */
export function loadTestConfig(port: number, dir: string, env: Record<string, string> = {}): GatehouseConfig {
  return loadConfig({ env: loadTestEnv(port, dir, env) });
}

/** The same settings as environment variables, for a `gatehouse` command started as operators start it (`npm run soak`). */
export function loadTestEnv(port: number, dir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: String(port),
    GATEHOUSE_HOST: '127.0.0.1',
    GATEHOUSE_DATABASE: join(dir, 'gatehouse.db'),
    GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
    GATEHOUSE_PUBLIC_URL: `http://localhost:${port}`,
    GATEHOUSE_LOG_LEVEL: 'silent',
    GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
    GATEHOUSE_TRUSTED_PROXIES: 'loopback',
    ...env,
  };
}
