// The two-factor pages: one setup flow, and the recovery codes' .txt download (docs/security.md SEC-140).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sessionTokenFrom, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin };

/** Signs up, sets up TOTP through the pages, and returns the new session and the codes shown. */
async function enrolled(t: TestApp, email: string): Promise<{ session: string; codes: string[] }> {
  const first = await signUpThroughApi(t.app, email, testPassword);
  const started = await t.app.inject({ method: 'POST', url: '/account/two-factor/enrol', headers: { ...form, ...withSession(first) }, payload: '' });
  assert.equal(started.statusCode, 303, started.body);
  const setup = await t.app.inject({ method: 'GET', url: '/account/two-factor', headers: withSession(first) });
  const secret = /data-totp-secret>([A-Z2-7]+)</.exec(setup.body)?.[1] ?? '';
  const confirmed = await t.app.inject({
    method: 'POST',
    url: '/account/two-factor/confirm',
    headers: { ...form, ...withSession(first) },
    payload: new URLSearchParams({ code: totpCodeAt(secret, t.core.clock.nowMs()), password: testPassword }).toString(),
  });
  assert.equal(confirmed.statusCode, 200, confirmed.body);
  const codes = [...confirmed.body.matchAll(/<li>([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})<\/li>/g)].map((m) => m[1]!);
  assert.equal(codes.length, 10);
  return { session: sessionTokenFrom(confirmed)!, codes };
}

const download = (t: TestApp, session: string, codes: string) =>
  t.app.inject({ method: 'POST', url: '/account/two-factor/recovery-codes/download', headers: { ...form, ...withSession(session) }, payload: new URLSearchParams({ codes }).toString() });

describe('two-factor pages', () => {
  it('the setup page is one flow: a code form and a way back, no second password form labelled Cancel', async () => {
    const t = await createTestApp();
    try {
      const session = await signUpThroughApi(t.app, 'flow@example.com', testPassword);
      await t.app.inject({ method: 'POST', url: '/account/two-factor/enrol', headers: { ...form, ...withSession(session) }, payload: '' });
      const setup = await t.app.inject({ method: 'GET', url: '/account/two-factor', headers: withSession(session) });
      assert.equal((setup.body.match(/<form /g) ?? []).length, 1, 'one form');
      assert.doesNotMatch(setup.body, /Cancel/);
      assert.match(setup.body, /nothing changes until you enter a code/);
    } finally {
      await t.close();
    }
  });

  it('the recovery codes page has a grid, a read-only copy box and a download form with the same codes', async () => {
    const t = await createTestApp();
    try {
      const { session, codes } = await enrolled(t, 'grid@example.com');
      const page = await download(t, session, codes.join(' '));
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(page.headers['content-disposition'], 'attachment; filename="recovery-codes.txt"');
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.deepEqual(page.body.split('\n').filter((l) => /^[A-Z0-9]{4}-/.test(l)), codes);
    } finally {
      await t.close();
    }
  });

  it("SEC-140: the download serves only the signed-in user's current codes, only in the 10 minutes after they are made", async () => {
    const t = await createTestApp();
    try {
      const ada = await enrolled(t, 'ada-codes@example.com');
      const bob = await enrolled(t, 'bob-codes@example.com');
      // Someone else's codes, a chosen text, one code short, one repeated: refused, nothing echoed.
      const refusals = [
        bob.codes.join(' '),
        'HELLO-THIS-IS-NOT-A-CODE '.repeat(10),
        ada.codes.slice(1).join(' '),
        [...ada.codes.slice(1), ada.codes[1]!].join(' '),
      ];
      for (const attempt of refusals) {
        const refused = await download(t, ada.session, attempt);
        assert.equal(refused.statusCode, 410, attempt);
        assert.match(String(refused.headers['content-type']), /^text\/html/);
        assert.equal(refused.headers['content-disposition'], undefined);
      }
      // Signed out: the login page, never a file.
      const anonymous = await t.app.inject({ method: 'POST', url: '/account/two-factor/recovery-codes/download', headers: form, payload: new URLSearchParams({ codes: ada.codes.join(' ') }).toString() });
      assert.equal(anonymous.statusCode, 303);
      // A page left open: after 10 minutes the same codes are no longer served.
      assert.equal((await download(t, ada.session, ada.codes.join(' '))).statusCode, 200);
      t.core.clock.advance(10 * 60_000 + 1);
      assert.equal((await download(t, ada.session, ada.codes.join(' '))).statusCode, 410);
    } finally {
      await t.close();
    }
  });
});
