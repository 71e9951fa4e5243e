// expressGatehouse: the middleware contract behind a real express server, plus express specifics.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import express, { type ErrorRequestHandler } from 'express';
import { expressGatehouse, type AccessTokenClaims, type ExpressRequestLike, type Verifier } from '../../../packages/sdk/src/index.ts';
import { claimsBody, listenOnLoopback, middlewareContract } from './contract.ts';

middlewareContract(
  'express',
  async (verifier, record) => {
    const app = express();
    app.use('/notes', expressGatehouse(verifier, { realm: 'notes' }));
    app.get('/notes', (req, res) => {
      const claims = (req as ExpressRequestLike).gatehouse as AccessTokenClaims;
      record(claims);
      res.json({ ...claimsBody(claims), sameInLocals: res.locals['gatehouse'] === claims });
    });
    return listenOnLoopback(createServer(app));
  },
  (body) => assert.equal(body['sameInLocals'], true, 'req.gatehouse and res.locals.gatehouse are the same claims'),
);

describe('expressGatehouse specifics', () => {
  it('an unexpected verifier failure goes to next(error), and the route never runs (SEC-85)', async () => {
    const broken = { verify: async (): Promise<AccessTokenClaims> => Promise.reject(new TypeError('bug')) };
    const app = express();
    let reached = false;
    let handled: unknown;
    app.get('/notes', expressGatehouse(broken), (_req, res) => {
      reached = true;
      res.send('no');
    });
    const onError: ErrorRequestHandler = (error, _req, res, _next) => {
      handled = error;
      res.status(500).send('error handler');
    };
    app.use(onError);
    const server = await listenOnLoopback(createServer(app));
    try {
      const response = await fetch(`${server.url}/notes`, { headers: { authorization: 'Bearer abc' } });
      assert.equal(response.status, 500);
      assert.equal(await response.text(), 'error handler');
      assert.ok(handled instanceof TypeError);
      assert.equal(reached, false);
    } finally {
      await server.close();
    }
  });

  it('refuses to be made without a verifier', () => {
    assert.throws(() => expressGatehouse(undefined as unknown as Verifier), /expressGatehouse: the first argument must be a verifier/);
  });
});
