import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backchannelLogoutKindName } from '../../../src/core/logout/enqueue-backchannel-logouts.ts';
import { clientRecord } from '../../support/client-record.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';

describe('the "Connected apps" card of /account', () => {
  it('lists each allowed app with the date and what it may see in plain words; revoke ends its consent, its refresh tokens and tells it (back-channel logout)', async () => {
    const t = await createTestApp();
    try {
      const token = await signUpThroughApi(t.app, 'ada@example.com', testPassword);
      const current = (await t.core.store.sessions.findWithUser(token.split('.')[0]!))!;
      const basics = { type: 'confidential' as const, secretHash: null, grantTypes: ['authorization_code' as const], refreshTokenDelivery: 'body' as const, createdAtMs: 0 };
      await t.core.store.clients.create(clientRecord({ ...basics, id: 'notes', name: 'Notes <b>', audience: 'notes' }, { backchannelLogoutUri: 'https://notes.example/bcl' }));
      await t.core.store.clients.create(clientRecord({ ...basics, id: 'chat', name: 'Chat', audience: 'chat' }));
      const nowMs = t.core.clock.nowMs();
      await t.core.store.consents.upsert({ userId: current.user.id, clientId: 'notes', scopes: ['openid', 'email', 'notes:read'], grantedAtMs: nowMs, updatedAtMs: nowMs });
      await t.core.store.consents.upsert({ userId: current.user.id, clientId: 'chat', scopes: ['openid', 'profile'], grantedAtMs: nowMs - 1000, updatedAtMs: nowMs });
      await t.core.store.sessionClients.record({ sessionId: current.session.id, clientId: 'notes', userId: current.user.id, firstIssuedAtMs: nowMs, lastIssuedAtMs: nowMs, expiresAtMs: current.session.expiresAtMs });
      await t.core.store.refreshTokens.insert({ id: 'rt-notes', familyId: 'rt-notes', sessionId: current.session.id, clientId: 'notes', secretHash: new Uint8Array(32), scope: 'openid', createdAtMs: nowMs, idleExpiresAtMs: nowMs + 3_600_000, familyExpiresAtMs: nowMs + 3_600_000, usedAtMs: null, successorId: null, dpopJkt: null, openIdLogin: null });

      const page = await t.app.inject({ method: 'GET', url: '/account', headers: withSession(token) });
      assert.match(page.body, /<h2 id="connected-apps-title">Connected apps<\/h2>/);
      assert.match(page.body, /Notes &lt;b&gt;/, 'the app name is escaped');
      assert.match(page.body, /See your email address and whether it is confirmed/);
      assert.match(page.body, /Use “notes:read” on notes/);
      assert.match(page.body, /See your name, picture and language/);
      assert.match(page.body, /what it already holds expires within minutes/, 'the card promises no more than a revoke does to an access token already issued');
      assert.ok(page.body.indexOf('data-connected-app="notes"') < page.body.indexOf('data-connected-app="chat"'), 'the most recently allowed first');

      const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin, 'sec-fetch-site': 'same-origin', ...withSession(token) };
      const crossSite = await t.app.inject({ method: 'POST', url: '/account/connected-apps/notes/revoke', headers: { ...form, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
      assert.equal(crossSite.statusCode, 403);
      const revoked = await t.app.inject({ method: 'POST', url: '/account/connected-apps/notes/revoke', headers: form });
      assert.equal(revoked.statusCode, 303);
      assert.equal(revoked.headers.location, '/account?done=app-revoked');
      assert.equal(await t.core.store.consents.find(current.user.id, 'notes'), null);
      assert.equal(await t.core.store.refreshTokens.findById('rt-notes'), null);
      const [logout] = await t.core.store.deliveries.list({ limit: 5, kind: backchannelLogoutKindName });
      assert.equal(logout?.targetUrl, 'https://notes.example/bcl');
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).statusCode, 200, 'the Gatehouse session lives on');
      const after = await t.app.inject({ method: 'GET', url: '/account?done=app-revoked', headers: withSession(token) });
      assert.doesNotMatch(after.body, /data-connected-app="notes"/);
      assert.match(after.body, /The app is disconnected/);

      const again = await t.app.inject({ method: 'POST', url: '/account/connected-apps/notes/revoke', headers: form });
      assert.equal(again.statusCode, 404);
      assert.match(again.body, /not connected to your account/);
    } finally {
      await t.close();
    }
  });
});
