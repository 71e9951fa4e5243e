import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { createTraceLog } from '../../../src/core/trace/trace-log.ts';
import { createRequestRecorder } from '../../../src/http/inspector/request-recorder.ts';
import { lazySchemaCompilers } from '../../../src/http/plugins/lazy-schema-compilers.ts';
import { createTestApp, sameOriginJson, testOrigin, type TestApp } from '../../support/http-app.ts';

/** Route schemas are compiled on first use (issue 17, idle memory), with the same results as compiling them up front. */

async function appWith(compilers = lazySchemaCompilers()): Promise<TestApp> {
  const app = await createTestApp({ schemaCompilers: compilers, inspector: { recorder: createRequestRecorder(createTraceLog({ nowMs: () => 0 })), audience: 'everyone' } });
  return app;
}

const requests: InjectOptions[] = [
  { method: 'POST', url: '/v1/users', headers: sameOriginJson, payload: { email: 'not-an-email', password: 'x' } },
  { method: 'POST', url: '/v1/users', headers: sameOriginJson, payload: { email: 'a@example.com', password: 'correct horse battery staple', extra: 1 } },
  { method: 'POST', url: '/v1/users', headers: sameOriginJson, payload: '[1,2]' },
  { method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 7 } },
  { method: 'GET', url: '/v1/session' },
  { method: 'GET', url: '/healthz' },
  { method: 'GET', url: '/.well-known/jwks.json' },
  { method: 'GET', url: '/.well-known/openid-configuration' },
  { method: 'POST', url: '/v1/token', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin }, payload: 'grant_type=nonsense' },
  { method: 'GET', url: '/oauth2/authorize?client_id=nobody&response_type=code' },
  { method: 'GET', url: '/openapi.json' },
];

describe('lazy schema compilers', () => {
  test('building the app compiles no schema; each is compiled once, on demand, and every one of them compiles', async () => {
    const compilers = lazySchemaCompilers();
    const { app, close } = await appWith(compilers);
    try {
      const response = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(response.statusCode, 200);
      // Everything the one request did not need is still pending, and compiles without error.
      const compiled = compilers.compileAll();
      assert.ok(compiled > 100, `only ${compiled} schemas were pending`);
      assert.equal(compilers.compileAll(), 0, 'each schema is compiled once');
    } finally {
      await close();
    }
  });

  test('answers exactly as with every schema compiled up front: validation errors, serialized bodies, status codes', async () => {
    const eagerCompilers = lazySchemaCompilers();
    const eager = await appWith(eagerCompilers);
    eagerCompilers.compileAll();
    const lazy = await appWith();
    try {
      for (const request of requests) {
        const [expected, actual] = [await eager.app.inject(request), await lazy.app.inject(request)];
        const what = `${request.method} ${request.url}`;
        assert.equal(actual.statusCode, expected.statusCode, what);
        assert.equal(actual.headers['content-type'], expected.headers['content-type'], what);
        // Keys and signatures differ between the two apps; the shape and error bodies do not.
        const shape = (body: string): string => body.replace(/"(kid|x|y|n|e|crv|kty)":"[^"]*"/g, '"$1":"*"');
        assert.equal(shape(actual.body), shape(expected.body), what);
      }
    } finally {
      await eager.close();
      await lazy.close();
    }
  });
});
