import type { GatehouseConfig } from '../config/load-config.ts';
import { createClient } from '../core/clients/create-client.ts';
import type { CoreDeps } from '../core/deps.ts';
import { demoRpRedirectUris, startDemoRp, type DemoRp } from './demo-rp.ts';

export const demoRpClientId = 'demo-rp';
/** The audience of the demo app's access tokens: its own API (`/api/hello`). */
export const demoApiAudience = 'urn:gatehouse:demo-app:api';

/**
 * Dev mode: starts the demo relying party on PORT + 2 (by default) and registers it as the public
 * client `demo-rp` (authorization code with PKCE, its exact redirect and post-logout URIs, the
 * consent page shown so it can be seen). Registered anew at every start, so its URIs follow the port.
 */
export async function withDemoRelyingParty(config: GatehouseConfig, deps: CoreDeps): Promise<{ rp: DemoRp; banner: string }> {
  const port = config.oauth.demoRpPort !== 0 ? config.oauth.demoRpPort : config.port === 0 ? 0 : config.port + 2;
  let rp: DemoRp;
  try {
    rp = await startDemoRp({ port, issuer: config.publicUrl, clientId: demoRpClientId, apiAudience: demoApiAudience });
  } catch (error) {
    const reason = (error as { code?: string }).code === 'EADDRINUSE' ? `port ${port} is in use` : error instanceof Error ? error.message : String(error);
    throw new Error(`the demo relying party could not start: ${reason}. Set GATEHOUSE_DEMO_RP_PORT to another port, or GATEHOUSE_DEMO_RP=false to run without it.`, { cause: error });
  }
  const { redirectUri, postLogoutRedirectUri } = demoRpRedirectUris(rp.url);
  await deps.store.clients.delete(demoRpClientId);
  await createClient(deps, {
    id: demoRpClientId,
    name: 'Demo app',
    type: 'public',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [postLogoutRedirectUri],
    audience: demoApiAudience,
  });
  return { rp, banner: `demo relying party (dev only) at ${rp.url}: "Log in with Gatehouse"` };
}
