import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { startDemoIdp } from '../../src/dev/demo-idp.ts';
import { serveParent } from './child.ts';

/**
 * oidc-provider (the peer the code-flow benchmark compares with), as the demo IdP runs it: its
 * own memory adapter (nothing durable, nothing shared between instances: the fastest storage it
 * has, so the comparison is, if anything, kind to it), public clients with PKCE, our login and
 * consent pages. Two clients, as on the Gatehouse side: `bench-rp` gets RS256 ID tokens (the
 * default of both), `bench-rp-es256` ES256 ones. Its access tokens are opaque (stored in the
 * memory adapter), where Gatehouse signs an RFC 9068 JWT (ES256 in the benchmark): one signature
 * more per flow on the Gatehouse side.
 */
const redirectUri = 'http://127.0.0.1/callback';
const es256 = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), alg: 'ES256', use: 'sig', kid: `bench-es256-${randomBytes(6).toString('hex')}` };
const idp = await startDemoIdp({
  port: 0,
  clients: [
    { clientId: 'bench-rp', redirectUris: [redirectUri], tokenEndpointAuthMethod: 'none' },
    { clientId: 'bench-rp-es256', redirectUris: [redirectUri], tokenEndpointAuthMethod: 'none', idTokenSignedResponseAlg: 'ES256' },
  ],
  extraSigningKeys: [es256],
  clientAuthMethods: ['none'],
});
serveParent({
  port: Number(new URL(idp.issuer).port),
  info: { issuer: idp.issuer, clientId: 'bench-rp', es256ClientId: 'bench-rp-es256', redirectUri },
  close: () => idp.close(),
});
