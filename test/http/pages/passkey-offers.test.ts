// The pages that offer a passkey (/login and the second step) start their ceremony without a write (docs/security.md SEC-190).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { passkeyCeremonyCookieName } from '../../../src/http/passkey-cookies.ts';
import { pendingLoginCookieName } from '../../../src/http/session-cookie.ts';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sql/sqlite.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, sessionTokenFrom, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';
import { createSoftAuthenticator, type SoftAuthenticator } from '../../support/soft-authenticator.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin };

/** Every table's row count, by name. */
async function rowCounts(store: SqliteStore): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(store.db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const [row] = (await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(store.db)).rows;
    counts[name] = Number(row?.n);
  }
  return counts;
}

function ceremonyCookie(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === passkeyCeremonyCookieName && c.value !== '');
  assert.ok(cookie, `no ceremony cookie: ${response.statusCode}`);
  return cookie.value;
}

/** The options a page carries for its passkey form. */
function pageOptions(body: string): Parameters<SoftAuthenticator['assert']>[0] {
  const raw = /data-options="([^"]+)"/.exec(body)?.[1];
  assert.ok(raw, 'the page has a passkey form');
  return JSON.parse(raw.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
}

describe('passkey offers on the login pages', () => {
  let store: SqliteStore;
  let t: TestApp;
  let authenticator: SoftAuthenticator;
  const email = 'offers@example.com';

  before(async () => {
    store = await openSqliteStore(':memory:', { migrate: 'on-open' });
    t = await createTestApp({ store });
    const session = await signUpThroughApi(t.app, email, testPassword);
    authenticator = createSoftAuthenticator({ origin: testOrigin });
    const started = await t.app.inject({ method: 'POST', url: '/v1/me/passkeys/registration/options', headers: { ...sameOriginJson, ...withSession(session) }, payload: {} });
    const added = await t.app.inject({
      method: 'POST',
      url: '/v1/me/passkeys/registration/verify',
      headers: { ...sameOriginJson, cookie: `${withSession(session).cookie}; ${passkeyCeremonyCookieName}=${ceremonyCookie(started)}` },
      payload: { response: authenticator.register(started.json().options) },
    });
    assert.equal(added.statusCode, 201, added.body);
  });
  after(async () => {
    await t.close();
    await store.close();
  });

  test('1,000 views of /login write no row; the last page’s ceremony still logs in, once (docs/security.md SEC-190)', async () => {
    const before = await rowCounts(store);
    let page: LightMyRequestResponse | undefined;
    for (let i = 0; i < 1000; i += 1) {
      page = await t.app.inject({ method: 'GET', url: '/login', remoteAddress: `198.51.100.${i % 250}` });
      assert.equal(page.statusCode, 200);
    }
    assert.deepEqual(await rowCounts(store), before, 'no table grew or shrank');
    assert.ok(page);
    const cookie = `${passkeyCeremonyCookieName}=${ceremonyCookie(page)}`;
    const response = JSON.stringify(authenticator.assert(pageOptions(page.body)));
    const answer = (): Promise<LightMyRequestResponse> => t.app.inject({ method: 'POST', url: '/login/passkey', headers: { ...form, cookie }, payload: new URLSearchParams({ response, return_to: '/account' }).toString() });
    const loggedIn = await answer();
    assert.equal(loggedIn.headers.location, '/account');
    assert.ok(sessionTokenFrom(loggedIn), 'logged in');
    const replayed = await answer();
    assert.match(String(replayed.headers.location), /done=passkey-failed/, 'the same ceremony answered twice: refused');
    assert.equal(sessionTokenFrom(replayed), undefined);
  });

  test('300 views of the second step write no row (docs/security.md SEC-190)', async () => {
    const user = await t.core.store.users.findByEmail(email);
    assert.ok(user);
    await t.core.store.totp.putPending({ userId: user.id, secretJwe: 'unused', createdAtMs: t.core.clock.nowMs(), confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: null });
    await t.core.store.totp.confirm(user.id, t.core.clock.nowMs(), 1);
    const password = await t.app.inject({ method: 'POST', url: '/login', headers: form, payload: new URLSearchParams({ email, password: testPassword }).toString() });
    const pending = password.cookies.find((c) => c.name === pendingLoginCookieName);
    assert.ok(pending, `a pending login: ${password.statusCode}`);
    const before = await rowCounts(store);
    for (let i = 0; i < 300; i += 1) {
      const page: LightMyRequestResponse = await t.app.inject({ method: 'GET', url: '/login/second-factor', headers: { cookie: `${pendingLoginCookieName}=${pending.value}` } });
      assert.equal(page.statusCode, 200);
      assert.ok(page.body.includes('data-passkey="second-factor"'));
    }
    assert.deepEqual(await rowCounts(store), before, 'no table grew or shrank');
  });
});
