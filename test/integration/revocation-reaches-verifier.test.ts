// The whole JWT promise end to end: a token from /v1/token is accepted by an SDK verifier that
// follows the real revocation feed, and refused by it once the session logs out, the moment the
// feed event arrives (event-driven: the verifier's onRevocation callback, no sleeping).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/core/clients/create-client.ts';
import { createVerifier, GatehouseTokenError, type Verifier } from '../../packages/sdk/src/index.ts';
import { testPassword } from '../support/core-deps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const audience = 'https://api.example.com';

describe('revocation reaches an SDK verifier through the real feed', () => {
  let server: TestServer;
  let verifier: Verifier;
  const seen: Array<{ sid?: string; jti?: string }> = [];
  const waiters: Array<() => void> = [];
  let apiSecret = '';
  let revokedToken = '';

  before(async () => {
    server = await startTestServer();
    await createClient(server.gatehouse.deps, { id: 'web', name: 'Web', type: 'public', grantTypes: ['password', 'refresh_token'], audience });
    const api = await createClient(server.gatehouse.deps, { id: 'notes-api', name: 'Notes API', type: 'confidential', grantTypes: ['session'], audience });
    apiSecret = api.secret as string;
    verifier = createVerifier({
      issuer: server.url,
      audience,
      revocationFeed: {
        clientId: 'notes-api',
        clientSecret: api.secret as string,
        onRevocation: (entry: { sid?: string; jti?: string }) => {
          seen.push(entry);
          for (const wake of waiters.splice(0)) wake();
        },
      },
    });
    await verifier.ready();
    const signUp = await fetch(`${server.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'feed@example.com', password: testPassword }),
    });
    assert.equal(signUp.status, 202);
  });
  after(async () => {
    verifier?.close();
    await server?.close();
  });

  const until = async (found: () => boolean): Promise<void> => {
    while (!found()) await new Promise<void>((resolve) => waiters.push(resolve));
  };

  async function passwordGrant(): Promise<{ access_token: string; refresh_token: string }> {
    const response = await fetch(`${server.url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username: 'feed@example.com', password: testPassword }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  it('a session revoked on the server is refused by the verifier as soon as the event arrives', async () => {
    const tokens = await passwordGrant();
    const claims = await verifier.verify(tokens.access_token);
    const sid = claims.sid;
    revokedToken = tokens.access_token;
    // Revoke the grant's session through RFC 7009 (the same path as a logout elsewhere).
    const revoke = await fetch(`${server.url}/v1/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: 'web' }),
    });
    assert.equal(revoke.status, 200);
    await until(() => seen.some((e) => e.sid === sid));
    await assert.rejects(verifier.verify(tokens.access_token), (error: unknown) => error instanceof GatehouseTokenError && error.code === 'token_revoked');
  });

  it('an access token revoked by jti is refused, while another token of the same session still works', async () => {
    const first = await passwordGrant();
    const refreshed = await fetch(`${server.url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: first.refresh_token }),
    });
    const second = (await refreshed.json()) as { access_token: string };
    const { jti } = await verifier.verify(first.access_token);
    await fetch(`${server.url}/v1/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: first.access_token, client_id: 'web' }),
    });
    await until(() => seen.some((e) => e.jti === jti));
    await assert.rejects(verifier.verify(first.access_token), (error: unknown) => error instanceof GatehouseTokenError && error.code === 'token_revoked');
    assert.ok((await verifier.verify(second.access_token)).sid);
  });

  it('a verifier started after the revocation refuses the token once it has caught up', async () => {
    assert.ok(revokedToken);
    const late = createVerifier({ issuer: server.url, audience, revocationFeed: { clientId: 'notes-api', clientSecret: apiSecret } });
    try {
      await late.ready();
      await assert.rejects(late.verify(revokedToken), (error: unknown) => error instanceof GatehouseTokenError && error.code === 'token_revoked');
    } finally {
      late.close();
    }
  });

  it('wrong feed credentials fail closed: nothing is accepted (SEC-83)', async () => {
    const tokens = await passwordGrant();
    const wrong = createVerifier({ issuer: server.url, audience, revocationFeed: { clientId: 'notes-api', clientSecret: 'not-the-secret' } });
    try {
      await assert.rejects(wrong.verify(tokens.access_token), (error: unknown) => error instanceof GatehouseTokenError && error.code === 'verifier_unavailable');
    } finally {
      wrong.close();
    }
  });
});
