// docs/security.md SEC-104: wrong emailed sign-in codes are counted under a keyed hash of the
// address, the same for every address, so the sequence of statuses, bodies and headers is
// identical for an address with an account and one without (no enumeration, and the cap on a
// known address is no different from the cap on an unknown one).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi } from '../../support/http-app.ts';

/** What a client can observe of one answer: status, body, and every header but the ones that vary per request. */
function observable(response: LightMyRequestResponse): unknown {
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !['date', 'x-request-id', 'content-length'].includes(name)));
  const body = response.json() as Record<string, unknown>;
  return { status: response.statusCode, headers, body: { ...body, instance: undefined } };
}

describe('wrong sign-in codes for known and unknown addresses (SEC-104)', () => {
  it('give the same sequence of statuses, bodies and headers, 429 with Retry-After included', async () => {
    const t = await createTestApp();
    try {
      await signUpThroughApi(t.app, 'known@example.com', testPassword);
      let ip = 0;
      const use = (email: string) =>
        t.app.inject({ method: 'POST', url: '/v1/session/email-code', remoteAddress: `198.51.100.${++ip}`, headers: sameOriginJson, payload: { email, code: '000000' } });
      const known: unknown[] = [];
      const unknown: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        known.push(observable(await use('known@example.com')));
        unknown.push(observable(await use('Unknown@Example.com')));
      }
      assert.deepEqual(unknown, known);
      const statuses = known.map((o) => (o as { status: number }).status);
      assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429, 429]);
      assert.ok((known[5] as { headers: Record<string, string> }).headers['retry-after']);
    } finally {
      await t.close();
    }
  });
});
