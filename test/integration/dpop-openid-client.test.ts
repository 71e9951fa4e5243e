// DPoP (RFC 9449) end to end with openid-client as the client: real HTTP, a real Gatehouse, and a
// resource server verifying with @gatehouse/sdk. docs/security.md SEC-235, SEC-236, SEC-238, SEC-239.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as client from 'openid-client';
import { createClient } from '../../src/core/clients/create-client.ts';
import { createVerifier, fastifyGatehouse, type FastifyRequestLike, type Verifier } from '../../packages/sdk/src/index.ts';
import { testPassword } from '../support/core-deps.ts';
import { signUpThroughApi } from '../support/http-app.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';
import { dpopKey, dpopProof, type DpopKey } from '../support/dpop.ts';

const audience = 'https://api.example.com';
const email = 'dpop@example.com';
const execute = [client.allowInsecureRequests]; // plain http on loopback, for the test only

describe('DPoP with openid-client against a real server, and the SDK as the resource server', () => {
  let server: TestServer;
  let api: FastifyInstance;
  let apiUrl: string;
  let verifier: Verifier;
  let spa: client.Configuration;
  let backend: client.Configuration;

  before(async () => {
    server = await startTestServer();
    await createClient(server.gatehouse.deps, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience });
    await createClient(server.gatehouse.deps, { id: 'strict', name: 'Strict', type: 'public', grantTypes: ['password', 'refresh_token'], audience, requireDpop: true });
    const confidential = await createClient(server.gatehouse.deps, { id: 'backend', name: 'Backend', type: 'confidential', grantTypes: ['password', 'refresh_token'], audience });
    await signUpThroughApi(server.gatehouse.app, email, testPassword);
    spa = await client.discovery(new URL(server.url), 'spa', undefined, client.None(), { algorithm: 'oauth2', execute });
    backend = await client.discovery(new URL(server.url), 'backend', undefined, client.ClientSecretBasic(confidential.secret!), { algorithm: 'oauth2', execute });

    verifier = createVerifier({ issuer: server.url, audience });
    api = Fastify();
    api.get('/notes', { preHandler: fastifyGatehouse(verifier) }, async (request) => ({ sub: (request as FastifyRequestLike).gatehouse?.sub }));
    await api.listen({ host: '127.0.0.1', port: 0 });
    apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}/notes`;
  });
  after(async () => {
    verifier?.close();
    await api?.close();
    await server?.close();
  });

  const passwordGrant = (config: client.Configuration, DPoP?: client.DPoPHandle) =>
    client.genericGrantRequest(config, 'password', { username: email, password: testPassword }, DPoP === undefined ? {} : { DPoP });
  const tokenEndpoint = () => `${server.url}/v1/token`;
  const rawRefresh = (refreshToken: string, headers: Record<string, string>) =>
    fetch(tokenEndpoint(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa' }) });
  const callApi = (authorization: string, proof?: string) => fetch(apiUrl, { headers: { authorization, ...(proof === undefined ? {} : { dpop: proof }) } });

  it('discovery advertises dpop_signing_alg_values_supported', () => {
    assert.deepEqual(spa.serverMetadata().dpop_signing_alg_values_supported, ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256']);
  });

  it('a public client: DPoP-bound access token (cnf.jkt, token_type DPoP), refresh with the same key, API call verified by the SDK', async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const DPoP = client.getDPoPHandle(spa, keyPair);
    const tokens = await passwordGrant(spa, DPoP);
    assert.equal(tokens.token_type, 'dpop');
    const jkt = (decodeJwt(tokens.access_token).cnf as { jkt: string }).jkt;
    assert.equal(jkt, await calculateJwkThumbprint(await exportJWK(keyPair.publicKey)));

    const response = await client.fetchProtectedResource(spa, tokens.access_token, new URL(apiUrl), 'GET', undefined, undefined, { DPoP });
    assert.equal(response.status, 200, await response.clone().text());
    assert.ok(((await response.json()) as { sub: string }).sub);

    const refreshed = await client.refreshTokenGrant(spa, tokens.refresh_token!, undefined, { DPoP });
    assert.equal(refreshed.token_type, 'dpop');
    assert.equal((decodeJwt(refreshed.access_token).cnf as { jkt: string }).jkt, jkt);
    const again = await client.refreshTokenGrant(spa, refreshed.refresh_token!, undefined, { DPoP });
    assert.ok(again.access_token);
  });

  it('a client registered with requireDpop gets no token without a proof, and a bound one with it', async () => {
    const strict = await client.discovery(new URL(server.url), 'strict', undefined, client.None(), { algorithm: 'oauth2', execute });
    await assert.rejects(passwordGrant(strict), (error: { error?: string }) => error.error === 'invalid_dpop_proof');
    const DPoP = client.getDPoPHandle(strict, await client.randomDPoPKeyPair('ES256'));
    const tokens = await passwordGrant(strict, DPoP);
    assert.equal(tokens.token_type, 'dpop');
    await assert.rejects(client.refreshTokenGrant(strict, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_dpop_proof');
  });

  it("fapi2-security-profile-final-ensure-token-endpoint-fails-with-mismatched-dpop-proof-jkt: a public client's bound refresh token is refused with another key or without a proof, and not burnt by the attempt (SEC-238)", async () => {
    const DPoP = client.getDPoPHandle(spa, await client.randomDPoPKeyPair('ES256'));
    const tokens = await passwordGrant(spa, DPoP);
    const thief = client.getDPoPHandle(spa, await client.randomDPoPKeyPair('ES256'));
    await assert.rejects(client.refreshTokenGrant(spa, tokens.refresh_token!, undefined, { DPoP: thief }), (error: { error?: string }) => error.error === 'invalid_grant');
    await assert.rejects(client.refreshTokenGrant(spa, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_dpop_proof');
    const refreshed = await client.refreshTokenGrant(spa, tokens.refresh_token!, undefined, { DPoP });
    assert.ok(refreshed.access_token, 'the holder of the key still refreshes');
  });

  it("a confidential client: the access token is bound, the refresh token is not (client authentication binds it)", async () => {
    const DPoP = client.getDPoPHandle(backend, await client.randomDPoPKeyPair('EdDSA'));
    const tokens = await passwordGrant(backend, DPoP);
    assert.equal(tokens.token_type, 'dpop');
    const plain = await client.refreshTokenGrant(backend, tokens.refresh_token!);
    assert.equal(plain.token_type, 'bearer');
    assert.equal(decodeJwt(plain.access_token).cnf, undefined);
  });

  it('the token endpoint refuses a replayed proof, and proofs for another method or URL (SEC-235, SEC-236)', async () => {
    const key = await dpopKey();
    const spaKey = client.getDPoPHandle(spa, await client.randomDPoPKeyPair('ES256'));
    const tokens = await passwordGrant(spa); // unbound: the refresh below is about the proofs alone
    const proof = await dpopProof(key, { htm: 'POST', htu: tokenEndpoint() });
    const first = await rawRefresh(tokens.refresh_token!, { dpop: proof });
    assert.equal(first.status, 200, await first.clone().text());
    const { refresh_token: next } = (await first.json()) as { refresh_token: string };
    const replay = await rawRefresh(next, { dpop: proof });
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_dpop_proof');
    for (const wrong of [{ htm: 'GET', htu: tokenEndpoint() }, { htm: 'POST', htu: `${server.url}/v1/token/introspect` }, { htm: 'POST', htu: 'https://evil.example/v1/token' }]) {
      const answer = await rawRefresh(next, { dpop: await dpopProof(key, wrong) });
      assert.equal(answer.status, 400, JSON.stringify(wrong));
      assert.equal(((await answer.json()) as { error: string }).error, 'invalid_dpop_proof');
    }
    const twoHeaders = await fetch(tokenEndpoint(), {
      method: 'POST',
      headers: [['content-type', 'application/x-www-form-urlencoded'], ['dpop', await dpopProof(key, { htm: 'POST', htu: tokenEndpoint() })], ['dpop', await dpopProof(key, { htm: 'POST', htu: tokenEndpoint() })]],
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: next, client_id: 'spa' }),
    });
    assert.equal(((await twoHeaders.json()) as { error: string }).error, 'invalid_dpop_proof');
    assert.ok((await client.refreshTokenGrant(spa, next, undefined, { DPoP: spaKey })).access_token, 'refused proofs rotated nothing');
  });

  it('the SDK refuses a bound token sent as Bearer, a replayed proof, a wrong ath, htm or htu, and a proof by another key (SEC-239)', async () => {
    const key: DpopKey = await dpopKey();
    const handle = client.getDPoPHandle(spa, await client.randomDPoPKeyPair('ES256'));
    const bound = (await passwordGrant(spa, handle)).access_token;
    // A token bound to `key`: issued through a proof by it.
    const boundToKey = await fetch(tokenEndpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await dpopProof(key, { htm: 'POST', htu: tokenEndpoint() }) },
      body: new URLSearchParams({ grant_type: 'password', username: email, password: testPassword, client_id: 'spa' }),
    });
    const token = ((await boundToKey.json()) as { access_token: string }).access_token;

    const codeOf = async (response: Response) => ((await response.json()) as { code: string }).code;
    const asBearer = await callApi(`Bearer ${token}`);
    assert.equal(asBearer.status, 401);
    assert.equal(await codeOf(asBearer), 'dpop_required');

    const proof = await dpopProof(key, { htm: 'GET', htu: apiUrl, accessToken: token });
    assert.equal((await callApi(`DPoP ${token}`, proof)).status, 200);
    const replay = await callApi(`DPoP ${token}`, proof);
    assert.equal(replay.status, 401);
    assert.match(String(replay.headers.get('www-authenticate')), /^DPoP .*error="invalid_dpop_proof"/);
    assert.equal(await codeOf(replay), 'dpop_proof_replayed');

    assert.equal(await codeOf(await callApi(`DPoP ${token}`, await dpopProof(key, { htm: 'GET', htu: apiUrl, accessToken: bound }))), 'dpop_proof_invalid', 'ath of another token');
    assert.equal(await codeOf(await callApi(`DPoP ${token}`, await dpopProof(key, { htm: 'POST', htu: apiUrl, accessToken: token }))), 'dpop_proof_invalid', 'htm');
    assert.equal(await codeOf(await callApi(`DPoP ${token}`, await dpopProof(key, { htm: 'GET', htu: `${apiUrl}/other`, accessToken: token }))), 'dpop_proof_invalid', 'htu');
    assert.equal(await codeOf(await callApi(`DPoP ${token}`, await dpopProof(key, { htm: 'GET', htu: apiUrl, accessToken: token, omit: ['ath'] }))), 'dpop_proof_invalid', 'no ath');
    assert.equal(await codeOf(await callApi(`DPoP ${token}`)), 'dpop_proof_invalid', 'no proof at all');
    const other = await dpopKey();
    assert.equal(await codeOf(await callApi(`DPoP ${token}`, await dpopProof(other, { htm: 'GET', htu: apiUrl, accessToken: token }))), 'dpop_key_mismatch');

    const unbound = (await passwordGrant(spa)).access_token;
    assert.equal(await codeOf(await callApi(`DPoP ${unbound}`, await dpopProof(key, { htm: 'GET', htu: apiUrl, accessToken: unbound }))), 'dpop_not_bound');
    assert.equal((await callApi(`Bearer ${unbound}`)).status, 200);
  });
});
