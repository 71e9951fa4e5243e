// honoGatehouse: the middleware contract behind a real server running a hono app, plus hono specifics.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { honoGatehouse, type AccessTokenClaims, type GatehouseVariables, type Verifier } from '../../../packages/sdk/src/index.ts';
import { claimsBody, listenOnLoopback, middlewareContract, type ProtectedServer } from './contract.ts';

/**
 * Serves a hono app over node:http (what @hono/node-server does, reduced to what these tests
 * send: bodiless requests), so the middleware runs behind a real listening socket.
 */
function serveHono(app: { fetch(request: Request): Response | Promise<Response> }): Promise<ProtectedServer> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const request = new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`), { method: req.method ?? 'GET', headers });
    void Promise.resolve(app.fetch(request)).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  return listenOnLoopback(server);
}

middlewareContract('hono', async (verifier, record) => {
  const app = new Hono<{ Variables: GatehouseVariables }>();
  app.use('/notes', honoGatehouse(verifier, { realm: 'notes' }));
  app.get('/notes', (c) => {
    record(c.get('gatehouse'));
    return c.json(claimsBody(c.get('gatehouse')));
  });
  return serveHono(app);
});

describe('honoGatehouse specifics', () => {
  it('an unexpected verifier failure goes to onError, and the route never runs (SEC-85)', async () => {
    const broken = { verify: async (): Promise<AccessTokenClaims> => Promise.reject(new TypeError('bug')) };
    const app = new Hono();
    let reached = false;
    let handled: unknown;
    app.use('/notes', honoGatehouse(broken));
    app.get('/notes', (c) => {
      reached = true;
      return c.text('no');
    });
    app.onError((error, c) => {
      handled = error;
      return c.text('error handler', 500);
    });
    const response = await app.request('/notes', { headers: { authorization: 'Bearer abc' } });
    assert.equal(response.status, 500);
    assert.equal(await response.text(), 'error handler');
    assert.ok(handled instanceof TypeError);
    assert.equal(reached, false);
  });

  it('fits an app that declares other variables too', () => {
    const app = new Hono<{ Variables: GatehouseVariables & { requestId: string } }>();
    app.use(honoGatehouse({ verify: async () => Promise.reject(new Error('unused')) }));
  });

  it('refuses to be made without a verifier', () => {
    assert.throws(() => honoGatehouse(null as unknown as Verifier), /honoGatehouse: the first argument must be a verifier/);
  });
});
