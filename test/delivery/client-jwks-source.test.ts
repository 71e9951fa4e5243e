// The jwks_uri fetch of private_key_jwt clients: the webhook address policy, no redirects, a size
// cap (docs/security.md SEC-244).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, jwtVerify } from 'jose';
import { createClientJwksSource } from '../../src/delivery/client-jwks-source.ts';

describe('createClientJwksSource', () => {
  let server: Server;
  let base: string;
  let token: string;
  let jwks: string;

  before(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] });
    token = await new SignJWT({ sub: 'c' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey);
    server = createServer((request, response) => {
      if (request.url === '/jwks') return response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      if (request.url === '/redirect') return response.writeHead(302, { location: '/jwks' }).end();
      if (request.url === '/huge') return response.writeHead(200, { 'content-type': 'application/json' }).end(`${jwks.slice(0, -1)},"pad":"${'x'.repeat(200_000)}"}`);
      return response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const source = (allowedNetworks: string[]) => createClientJwksSource({ allowedNetworks, timeoutMs: 2_000, maxBytes: 64 * 1024, maxKeySets: 2 });

  it('fetches and verifies with the published keys when the address is allowed (loopback: dev mode and tests)', async () => {
    const { payload } = await jwtVerify(token, source(['loopback']).keySetFor(`${base}/jwks`));
    assert.equal(payload.sub, 'c');
  });

  it('refuses a loopback or private address unless allowed, a redirect, and an answer over the size cap (SEC-244)', async () => {
    await assert.rejects(jwtVerify(token, source([]).keySetFor(`${base}/jwks`)));
    await assert.rejects(jwtVerify(token, source([]).keySetFor('https://10.0.0.1/jwks')));
    await assert.rejects(jwtVerify(token, source([]).keySetFor('https://169.254.169.254/jwks')));
    await assert.rejects(jwtVerify(token, source(['loopback']).keySetFor(`${base}/redirect`)));
    await assert.rejects(jwtVerify(token, source(['loopback']).keySetFor(`${base}/huge`)));
    await assert.rejects(jwtVerify(token, source(['loopback']).keySetFor(`file:///etc/passwd`)));
  });
});
