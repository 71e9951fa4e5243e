import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { errors, exportJWK } from 'jose';
import { createVerifier, type Verifier } from '../../packages/sdk/src/index.ts';
import { assertRefused, audience, makeSigningKey, makeSigningKeys, mintAccessToken, type SigningKey, type TestAlgorithm } from './support/tokens.ts';

/**
 * The remote path against real HTTP servers on 127.0.0.1: the issuer's, serving the JWKS at the
 * default /.well-known/jwks.json, and an attacker's, which must never receive a request however
 * the token header points at it (docs/security.md SEC-22: jku, x5u, or a kid shaped like a path).
 */

interface CountingServer {
  readonly server: Server;
  readonly origin: string;
  readonly paths: string[];
}

async function startServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<CountingServer> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, paths };
}

async function stopServer({ server }: CountingServer): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

let keys: Record<TestAlgorithm, SigningKey>;
let attackerKey: SigningKey;
let issuerServer: CountingServer;
let attackerServer: CountingServer;
const servers: CountingServer[] = [];

before(async () => {
  keys = await makeSigningKeys();
  attackerKey = await makeSigningKey('ES256', keys.ES256.kid);
  issuerServer = await startServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') sendJson(response, 200, { keys: Object.values(keys).map((key) => key.publicJwk) });
    else sendJson(response, 404, {});
  });
  attackerServer = await startServer((_request, response) => sendJson(response, 200, { keys: [attackerKey.publicJwk] }));
  servers.push(issuerServer, attackerServer);
});

after(async () => {
  await Promise.all(servers.map(stopServer));
});

function remoteVerifier(issuer: string): Verifier {
  // The issuer doubles as the token's iss; the JWKS comes from `${issuer}/.well-known/jwks.json`.
  return createVerifier({ issuer, audience });
}

describe('remote JWKS over HTTP', () => {
  it('fetches the JWKS once from the default location and verifies every algorithm with it', async () => {
    issuerServer.paths.length = 0;
    const verifier = remoteVerifier(issuerServer.origin);
    for (const key of Object.values(keys)) {
      const claims = await verifier.verify(await mintAccessToken(key, { claims: { iss: issuerServer.origin, exp: Math.floor(Date.now() / 1000) + 600 } }));
      assert.equal(claims.iss, issuerServer.origin);
    }
    assert.deepEqual(issuerServer.paths, ['/.well-known/jwks.json'], 'one fetch, cached for the next tokens');
    verifier.close();
  });

  it('SEC-22: jku, x5u (and jwk) pointing at the attacker cause no request there -> token_invalid_signature', async () => {
    issuerServer.paths.length = 0;
    attackerServer.paths.length = 0;
    const verifier = remoteVerifier(issuerServer.origin);
    const claims = { iss: issuerServer.origin, exp: Math.floor(Date.now() / 1000) + 600 };
    const headers = [
      { jku: `${attackerServer.origin}/jwks.json` },
      { x5u: `${attackerServer.origin}/cert.pem` },
      { jku: `${attackerServer.origin}/jwks.json`, x5u: `${attackerServer.origin}/cert.pem`, jwk: attackerKey.publicJwk },
    ];
    for (const header of headers) {
      await assertRefused(verifier.verify(await mintAccessToken(attackerKey, { header, claims })), 'token_invalid_signature', JSON.stringify(Object.keys(header)));
    }
    // An unknown kid with a jku: the only refetch allowed is of the configured JWKS, and the 30 s
    // cooldown means not even that right after the first fetch.
    const unknownKid = await mintAccessToken(attackerKey, { header: { kid: 'attacker-key', jku: `${attackerServer.origin}/jwks.json` }, claims });
    await assertRefused(verifier.verify(unknownKid), 'token_unknown_key');
    assert.deepEqual(attackerServer.paths, [], 'the attacker server received no request');
    assert.deepEqual(issuerServer.paths, ['/.well-known/jwks.json']);
    verifier.close();
  });

  it('SEC-23: a kid of ../../dev/null or an SQL fragment finds no key, and no other URL is requested', async () => {
    issuerServer.paths.length = 0;
    const verifier = remoteVerifier(issuerServer.origin);
    const claims = { iss: issuerServer.origin, exp: Math.floor(Date.now() / 1000) + 600 };
    for (const kid of ['../../dev/null', "' OR 1=1--", '../../../.well-known/../etc/passwd']) {
      await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { header: { kid }, claims })), 'token_unknown_key', kid);
    }
    assert.ok(issuerServer.paths.length >= 1);
    assert.ok(issuerServer.paths.every((path) => path === '/.well-known/jwks.json'), `only the JWKS was requested: ${issuerServer.paths.join(', ')}`);
    verifier.close();
  });

  it('a JWKS that answers 500, redirects, holds a private key, or is not reachable -> verifier_unavailable (503) (SEC-82)', async () => {
    // A JWKS leaking the private key (docs/security.md SEC-29 on the server side) is refused here as well.
    const privateJwk = { ...(await exportJWK(keys.ES256.privateKey)), kid: keys.ES256.kid, alg: 'ES256', use: 'sig' };
    const broken = await startServer((request, response) => {
      if (request.url === '/500/.well-known/jwks.json') sendJson(response, 500, {});
      else if (request.url === '/redirect/.well-known/jwks.json') {
        response.writeHead(302, { location: `${attackerServer.origin}/jwks.json` });
        response.end();
      } else if (request.url === '/private/.well-known/jwks.json') sendJson(response, 200, { keys: [privateJwk] });
      else sendJson(response, 200, 'not a JWKS');
    });
    servers.push(broken);
    attackerServer.paths.length = 0;
    const closed = await startServer(() => undefined);
    await stopServer(closed);
    for (const issuer of [`${broken.origin}/500`, `${broken.origin}/redirect`, `${broken.origin}/private`, `${broken.origin}/garbage`, closed.origin]) {
      const verifier = remoteVerifier(issuer);
      const token = await mintAccessToken(keys.ES256, { claims: { iss: issuer, exp: Math.floor(Date.now() / 1000) + 600 } });
      const error = await assertRefused(verifier.verify(token), 'verifier_unavailable', issuer);
      assert.equal(error.status, 503);
      if (issuer.endsWith('/private')) assert.ok(error.cause instanceof errors.JWKSInvalid, String(error.cause));
      verifier.close();
    }
    assert.deepEqual(attackerServer.paths, [], 'redirects are not followed');
  });
});
