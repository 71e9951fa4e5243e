import { randomBytes } from 'node:crypto';
import type { GatehouseConfig } from '../config/load-config.ts';
import { redirectUri } from '../core/oauth-client/oauth-deps.ts';
import { demoUser, startDemoIdp, type DemoIdp } from './demo-idp.ts';

/**
 * Dev mode: starts the demo IdP and returns the configuration with it added as the provider
 * "demo" (client credentials are generated for this run). The issuer's port is fixed (PORT + 1
 * by default), so the demo user keeps the same identity, and the same Gatehouse user, across restarts.
 */
export async function withDemoProvider(config: GatehouseConfig): Promise<{ config: GatehouseConfig; idp: DemoIdp; banner: string }> {
  const port = config.oauth.demoIdpPort !== 0 ? config.oauth.demoIdpPort : config.port === 0 ? 0 : config.port + 1;
  const clientId = 'gatehouse-dev';
  const clientSecret = randomBytes(24).toString('base64url');
  let idp: DemoIdp;
  try {
    idp = await startDemoIdp({ port, clients: [{ clientId, clientSecret, redirectUris: [redirectUri(config.publicUrl, 'demo')] }] });
  } catch (error) {
    const reason = (error as { code?: string }).code === 'EADDRINUSE' ? `port ${port} is in use${config.oauth.demoIdpPort === 0 ? ` (PORT + 1: is another Gatehouse running? PORT moves Gatehouse and both demo apps)` : ''}` : error instanceof Error ? error.message : String(error);
    throw new Error(`the demo IdP could not start: ${reason}. Set GATEHOUSE_DEMO_IDP_PORT to another port, or GATEHOUSE_DEMO_IDP=false to run without it.`, { cause: error });
  }
  const demo = { id: 'demo', kind: 'oidc', displayName: 'Demo IdP', issuer: idp.issuer, clientId, clientSecret, scopes: ['openid', 'email', 'profile'] } as const;
  const providers = Object.freeze([...config.oauth.providers.filter((p) => p.id !== 'demo'), Object.freeze(demo)]);
  const banner = `demo IdP (dev only) at ${idp.issuer}: user "${demoUser.username}", password "${demoUser.password}"`;
  return { config: Object.freeze({ ...config, oauth: Object.freeze({ ...config.oauth, providers }) }), idp, banner };
}
