// fastifyGatehouse: the middleware contract behind a real fastify server, plus fastify specifics.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyGatehouse, type AccessTokenClaims, type FastifyRequestLike, type Verifier } from '../../../packages/sdk/src/index.ts';
import { makeSigningKey, makeVerifier, mintAccessToken, type SigningKey } from '../support/tokens.ts';
import { claimsBody, middlewareContract, type ProtectedServer } from './contract.ts';

async function listen(app: FastifyInstance): Promise<ProtectedServer> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
}

/** The claims the hook put on the request (typed by a cast here; an app would augment FastifyRequest). */
const gatehouseOf = (request: unknown): AccessTokenClaims => (request as FastifyRequestLike).gatehouse as AccessTokenClaims;

middlewareContract('fastify', async (verifier, record) => {
  const app = Fastify();
  app.decorateRequest('gatehouse', null);
  // Every route of an encapsulated scope: the hook does not leak to the rest of the app.
  await app.register(async (api) => {
    api.addHook('preHandler', fastifyGatehouse(verifier, { realm: 'notes' }));
    api.get('/notes', async (request) => {
      record(gatehouseOf(request));
      return claimsBody(gatehouseOf(request));
    });
  });
  return listen(app);
});

describe('fastifyGatehouse specifics', () => {
  let key: SigningKey;
  let verifier: Verifier;
  let server: ProtectedServer;
  before(async () => {
    key = await makeSigningKey('EdDSA');
    verifier = makeVerifier([key]);
    const app = Fastify();
    app.decorateRequest('gatehouse', null);
    const requireToken = fastifyGatehouse(verifier, { realm: 'notes' });
    app.get('/per-route', { preHandler: requireToken }, async (request) => ({ sub: gatehouseOf(request).sub }));
    app.get('/public', async (request) => ({ gatehouse: (request as FastifyRequestLike).gatehouse }));
    await app.register(async (api) => {
      api.addHook('preHandler', requireToken);
      api.get('/scoped', async () => 'ok');
    });
    server = await listen(app);
  });
  after(async () => {
    await server?.close();
    verifier?.close();
  });

  it('works as a per-route preHandler', async () => {
    const token = await mintAccessToken(key, { claims: { sub: 'usr_route' } });
    const response = await fetch(`${server.url}/per-route`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: 'usr_route' });
    assert.equal((await fetch(`${server.url}/per-route`)).status, 401);
  });

  it('a hook added in a scope protects that scope only; elsewhere request.gatehouse stays null', async () => {
    assert.equal((await fetch(`${server.url}/scoped`)).status, 401);
    const open = await fetch(`${server.url}/public`);
    assert.equal(open.status, 200);
    assert.deepEqual(await open.json(), { gatehouse: null });
  });

  it('an unexpected verifier failure goes to fastify`s error handler (500), never through (SEC-85)', async () => {
    const app = Fastify();
    let reached = false;
    const broken = { verify: async (): Promise<AccessTokenClaims> => Promise.reject(new TypeError('bug')) };
    app.get('/notes', { preHandler: fastifyGatehouse(broken) }, async () => {
      reached = true;
      return 'no';
    });
    const response = await app.inject({ method: 'GET', url: '/notes', headers: { authorization: 'Bearer abc' } });
    assert.equal(response.statusCode, 500);
    assert.equal(reached, false);
    await app.close();
  });

  it('refuses to be made without a verifier, or with bad options', () => {
    assert.throws(() => fastifyGatehouse({} as Verifier), /fastifyGatehouse: the first argument must be a verifier/);
    assert.throws(() => fastifyGatehouse(verifier, { realm: 'a"b' }), /realm must be/);
    assert.throws(() => fastifyGatehouse(verifier, { realm: 'x', scope: 'a' } as never), /unknown option "scope"/);
  });
});
