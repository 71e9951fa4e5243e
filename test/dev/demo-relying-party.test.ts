// Dev mode's registration of the demo relying party (src/dev/demo-relying-party.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoApiAudience, demoRpClientId, withDemoRelyingParty } from '../../src/dev/demo-relying-party.ts';
import type { DemoRp } from '../../src/dev/demo-rp.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

describe('withDemoRelyingParty', () => {
  let server: TestServer;
  let rp: DemoRp | undefined;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await rp?.close();
    await server?.close();
  });

  it('starts the app and registers it as the public client demo-rp with its exact URIs, anew at each start', async () => {
    const config = { ...server.config, port: 0, oauth: { ...server.config.oauth, demoRpPort: 0 } };
    const first = await withDemoRelyingParty(config, server.gatehouse.deps);
    await first.rp.close();
    const second = await withDemoRelyingParty(config, server.gatehouse.deps);
    rp = second.rp;
    assert.match(second.banner, /^demo relying party \(dev only\) at http:\/\/localhost:\d+/);
    const client = await server.gatehouse.deps.store.clients.findById(demoRpClientId);
    assert.ok(client);
    assert.equal(client.type, 'public');
    assert.deepEqual(client.redirectUris, [`${second.rp.url}/callback`]);
    assert.deepEqual(client.postLogoutRedirectUris, [`${second.rp.url}/`]);
    assert.equal(client.audience, demoApiAudience);
    assert.ok(client.grantTypes.includes('authorization_code'));
    assert.equal((await fetch(`${second.rp.url}/`)).status, 200);
  });
});
