import { startDemoIdp } from '../../src/dev/demo-idp.ts';
import { serveParent } from './child.ts';

/**
 * oidc-provider (the peer the code-flow benchmark compares with), as the demo IdP runs it: its
 * own memory adapter, one public client with PKCE, our login and consent pages. The memory
 * adapter is the fastest storage it has, so the comparison is, if anything, kind to it.
 */
const redirectUri = 'http://127.0.0.1/callback';
const idp = await startDemoIdp({ port: 0, clients: [{ clientId: 'bench-rp', redirectUris: [redirectUri], tokenEndpointAuthMethod: 'none' }], clientAuthMethods: ['none'] });
serveParent({
  port: Number(new URL(idp.issuer).port),
  info: { issuer: idp.issuer, clientId: 'bench-rp', redirectUri },
  close: () => idp.close(),
});
