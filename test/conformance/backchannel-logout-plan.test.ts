// A port of the OpenID Foundation's Back-Channel RP-Initiated Logout OP test plan
// (oidcc-backchannel-rp-initiated-logout-certification-test-plan): one test per module, named
// after it, with openid-client as the relying party and a real local HTTP receiver that verifies
// the logout token with jose. docs/security.md SEC-223, SEC-224, SEC-225.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeJwt } from 'jose';
import * as client from 'openid-client';
import { startLogoutReceiver, type LogoutReceiver } from '../support/logout-receiver.ts';
import { browserGet, codeFlow, gatehouseSession, promptNoneError, registerRelyingParty } from '../support/op-session.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const redirectUri = 'http://127.0.0.1:9/callback';
const postLogoutRedirectUri = 'http://127.0.0.1:9/post_logout_redirect';

describe('OpenID back-channel logout OP plan (ported)', () => {
  let server: TestServer;
  let receiver: LogoutReceiver;
  let config: client.Configuration;

  before(async () => {
    // The receiver is on loopback: the outbox may send there only when told so.
    server = await startTestServer({ env: { GATEHOUSE_DELIVERY_ALLOWED_NETWORKS: 'loopback' } });
    receiver = await startLogoutReceiver({ keys: createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), issuer: server.url, clientId: 'rp-backchannel', path: '/backchannel_logout' });
    ({ config } = await registerRelyingParty(server, {
      id: 'rp-backchannel',
      name: 'Back-channel RP',
      redirectUris: [redirectUri],
      postLogoutRedirectUris: [postLogoutRedirectUri],
      backchannelLogoutUri: receiver.url,
      skipConsent: true,
    }));
  });
  after(async () => {
    await receiver.close();
    await server.close();
  });

  it('oidcc-backchannel-logout-discovery-endpoint-verification: back-channel logout, with sid, is advertised', () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata['backchannel_logout_supported'], true);
    assert.equal(metadata['backchannel_logout_session_supported'], true);
    assert.equal(metadata.end_session_endpoint, `${server.url}/end-session`);
  });

  it('oidcc-backchannel-rp-initiated-logout: the app gets a valid logout token for its sub and sid (only logout_token, no nonce) and the browser goes back with state; then prompt=none answers login_required', async () => {
    const cookie = await gatehouseSession(server, 'backchannel@example.com');
    const tokens = await codeFlow(config, redirectUri, cookie);
    const idClaims = decodeJwt(tokens.id_token!);
    const response = await browserGet(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: postLogoutRedirectUri, state: 'bcl-state' }), cookie);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${postLogoutRedirectUri}?state=bcl-state`);

    const [logout] = await receiver.waitFor(1);
    assert.deepEqual(receiver.refused, []);
    assert.deepEqual(logout!.parameters, ['logout_token'], 'no unexpected parameters');
    assert.equal(logout!.claims.sub, idClaims.sub, 'sub matches the ID token');
    assert.equal(logout!.claims['sid'], idClaims['sid'], 'sid matches the ID token');
    assert.equal('nonce' in logout!.claims, false);
    assert.equal(await promptNoneError(config, redirectUri, cookie), 'login_required');
  });
});
