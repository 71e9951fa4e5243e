// withGatehouse: the middleware contract behind a plain node:http server, plus node specifics.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { withGatehouse, type AccessTokenClaims, type Verifier } from '../../../packages/sdk/src/index.ts';
import { claimsBody, listenOnLoopback, middlewareContract } from './contract.ts';

middlewareContract('node:http', async (verifier, record) => {
  const listener = withGatehouse(
    verifier,
    (_req, res, claims) => {
      record(claims);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claimsBody(claims)));
    },
    { realm: 'notes' },
  );
  return listenOnLoopback(
    createServer((req, res) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/notes') return void res.writeHead(404).end();
      void listener(req, res);
    }),
  );
});

describe('withGatehouse specifics', () => {
  it('an unexpected verifier failure: 500 (fail closed, no hanging request), the promise rejects, the handler never runs (SEC-85)', async () => {
    const broken = { verify: async (): Promise<AccessTokenClaims> => Promise.reject(new TypeError('bug')) };
    let reached = false;
    const rejections: unknown[] = [];
    const listener = withGatehouse(broken, () => {
      reached = true;
    });
    const server = await listenOnLoopback(createServer((req, res) => void listener(req, res).catch((error: unknown) => rejections.push(error))));
    try {
      const response = await fetch(`${server.url}/notes`, { headers: { authorization: 'Bearer abc' } });
      assert.equal(response.status, 500);
      await response.body?.cancel();
      assert.equal(reached, false);
      assert.equal(rejections.length, 1);
      assert.ok(rejections[0] instanceof TypeError);
    } finally {
      await server.close();
    }
  });

  it('an async handler is awaited: its rejection reaches the caller', async () => {
    const verifier = { verify: async (): Promise<AccessTokenClaims> => ({ sub: 'usr' }) as AccessTokenClaims };
    const listener = withGatehouse(verifier, async () => Promise.reject(new RangeError('handler failed')));
    const rejections: unknown[] = [];
    const server = await listenOnLoopback(
      createServer((req, res) =>
        void listener(req, res).catch((error: unknown) => {
          rejections.push(error);
          res.writeHead(500).end();
        }),
      ),
    );
    try {
      const response = await fetch(`${server.url}/notes`, { headers: { authorization: 'Bearer abc' } });
      assert.equal(response.status, 500);
      assert.ok(rejections[0] instanceof RangeError);
    } finally {
      await server.close();
    }
  });

  it('refuses to be made without a verifier or a handler', () => {
    assert.throws(() => withGatehouse({} as Verifier, () => undefined), /withGatehouse: the first argument must be a verifier/);
    assert.throws(() => withGatehouse({ verify: async () => ({}) as AccessTokenClaims }, undefined as never), /second argument must be a request handler/);
  });
});
