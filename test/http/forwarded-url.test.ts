import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { createForwardedUrlReader, type ForwardedTarget } from '../../src/http/forwarded-url.ts';

// The reader answers through a real fastify route, so the request is what the check gets.
const proxy = '10.9.8.7';
let app: FastifyInstance;
let seen: ForwardedTarget | null = null;

before(async () => {
  app = Fastify();
  const read = createForwardedUrlReader([proxy]);
  app.get('/check', (request, reply) => {
    seen = read(request);
    return reply.code(204).send();
  });
  await app.ready();
});
after(() => app.close());

async function readAs(headers: Record<string, string>, remoteAddress = proxy): Promise<ForwardedTarget | null> {
  seen = null;
  const response = await app.inject({ method: 'GET', url: '/check', remoteAddress, headers });
  assert.equal(response.statusCode, 204);
  return seen;
}

/** What the reader must agree with: the WHATWG URL parser on the same three headers, fragment dropped. */
function parsed(proto: string, host: string, uri: string): URL | null {
  try {
    const url = new URL(`${proto}://${host}${uri}`);
    url.hash = '';
    return url;
  } catch {
    return null;
  }
}

describe('createForwardedUrlReader', () => {
  it('rebuilds the URL from a trusted proxy: origin and path for the rules, the whole URL for the login link', async () => {
    const target = await readAs({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'App.Test:443', 'x-forwarded-uri': '/reports/q1?x=1&y=%2F' });
    assert.equal(target?.origin, 'https://app.test');
    assert.equal(target?.pathname, '/reports/q1');
    assert.equal(target?.url().href, 'https://app.test/reports/q1?x=1&y=%2F');
  });

  it('SEC-154: dot segments, spelled plainly or percent-encoded, are resolved before any rule sees the path', async () => {
    const cases: Array<[string, string]> = [
      ['/public/../admin', '/admin'],
      ['/public/%2e%2e/admin', '/admin'],
      ['/public/.%2E/admin/', '/admin/'],
      ['/./admin', '/admin'],
      ['/admin/.', '/admin/'],
      ['/a/b/..', '/a/'],
    ];
    for (const [uri, pathname] of cases) {
      const target = await readAs({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.test', 'x-forwarded-uri': uri });
      assert.equal(target?.pathname, pathname, uri);
    }
  });

  it('ignores the headers from a peer that is not a trusted proxy (SEC-150)', async () => {
    assert.equal(await readAs({ 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.test', 'x-forwarded-uri': '/' }, '203.0.113.9'), null);
  });

  it('agrees with new URL() on origin, path and href for generated hosts and URIs (the fast path included)', async () => {
    const hosts = fc.constantFrom('app.test', 'APP.test', 'app.test:443', 'app.test:0443', 'app.test:80', 'app.test:8080', 'localhost', '127.1', '0x7f.0.0.1', '127.0.0.1:65536', '[::1]', '[0:0::1]:443', 'xn--nxasmq6b.test', 'a-b.c-d.test');
    // Pieces the URL parser takes as they are, ones it encodes, and ones it reads specially: dot
    // segments plain and percent-encoded, escapes, a query and a fragment (which may hold more).
    const piece = fc.constantFrom('/', '/', '/', 'a', 'Admin', '0', '-_~', '.', '..', '%2e', '%2E', '.%2e', '%2e.', '%61', '%', '%zz', ';x=1', "=@:!$'(*+,&", '"', '<>', '`', '{}', '^|', '[]', 'é', '#', '#x', '?', '?q=1', '?a=/../b');
    const uris = fc.array(piece, { maxLength: 12 }).map((pieces) => `/${pieces.join('')}`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('http', 'https'), hosts, uris, async (proto, host, uri) => {
        const target = await readAs({ 'x-forwarded-proto': proto, 'x-forwarded-host': host, 'x-forwarded-uri': uri });
        const expected = uri.startsWith('//') ? null : parsed(proto, host, uri);
        if (expected === null) {
          assert.equal(target, null);
          return;
        }
        assert.ok(target !== null, `${proto}://${host}${uri} was refused`);
        assert.equal(target.origin, expected.origin);
        assert.equal(target.pathname, expected.pathname);
        assert.equal(target.url().href, expected.href);
      }),
      { numRuns: 3000, seed: 20261206 },
    );
  });
});
