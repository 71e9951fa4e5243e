import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from '../src/core/clients/create-client.ts';
import type { AuthorizationCodeRecord, PendingAuthorization } from '../src/core/oauth-provider/ports.ts';
import { housekeep } from '../src/housekeeping.ts';
import { rejectsWithAuthError } from './support/auth-error.ts';
import { createTestCore, seedSession, seedUser, testThrottleRules } from './support/core-deps.ts';
import { createTestTokenDeps } from './support/http-app.ts';

const dayMs = 24 * 3_600_000;

describe('housekeep', () => {
  it('keeps a throttle counter as long as its own rule counts it, even when that is the social login start rule', async () => {
    // The start rule resets after 3 days, longer than every other rule (1 day at most): its
    // counters must survive a housekeeping round 2 days after their last failure.
    const oauthStartIp = { freeFailures: 2, baseDelayMs: 3 * dayMs, maxDelayMs: 3 * dayMs, resetAfterMs: 3 * dayMs };
    const core = await createTestCore({ throttleRules: { ...testThrottleRules, oauthStartIp } });
    const tokens = createTestTokenDeps(core);
    const start = () => core.throttle.reserve([['oauthStartIp', '198.51.100.7']], core.clock.nowMs());
    await start();
    await start();
    await rejectsWithAuthError(start(), 'too_many_requests');

    core.clock.advance(2 * dayMs);
    await housekeep({ store: core.store, deps: core, tokens }, core.clock.nowMs());
    await rejectsWithAuthError(start(), 'too_many_requests');
  });

  it('forgets a counter once no rule needs it any more', async () => {
    const core = await createTestCore();
    const tokens = createTestTokenDeps(core);
    const start = () => core.throttle.reserve([['ip', '198.51.100.8']], core.clock.nowMs());
    for (let i = 0; i < testThrottleRules.ip.freeFailures; i++) await start();
    core.clock.advance(2 * dayMs);
    await housekeep({ store: core.store, deps: core, tokens }, core.clock.nowMs());
    assert.equal(await core.store.throttle.deleteStale(core.clock.nowMs(), 0), 0, 'nothing was left to delete');
  });
});

describe('housekeep: OpenID Provider rows', () => {
  const code = (name: string, atMs: number): AuthorizationCodeRecord => ({
    codeHash: new Uint8Array(32).fill(name.charCodeAt(0)),
    clientId: 'rp',
    userId: 'u',
    sessionId: 's',
    redirectUri: 'https://rp.example.com/cb',
    scope: 'openid',
    nonce: null,
    codeChallenge: null,
    authTimeMs: atMs,
    amr: ['pwd'],
    acr: null,
    idTokenClaims: [],
    dpopJkt: null,
    createdAtMs: atMs,
    expiresAtMs: atMs + 60_000,
    usedAtMs: null,
    refreshFamilyId: null,
    accessTokenJti: null,
    accessTokenExpiresAtMs: null,
  });

  it('deletes expired pending authorizations, spent-and-expired codes and the app list of ended sessions, and keeps the live ones', async () => {
    const core = await createTestCore();
    const tokens = createTestTokenDeps(core);
    const t0 = core.clock.nowMs();
    const params = {} as PendingAuthorization['params'];
    await core.store.pendingAuthorizations.insert({ id: 'old-request', params, loginAfterMs: null, createdAtMs: t0, expiresAtMs: t0 + 600_000 });
    await core.store.authorizationCodes.insert(code('old', t0));
    await core.store.sessionClients.record({ sessionId: 'old-session', clientId: 'rp', userId: 'u', firstIssuedAtMs: t0, lastIssuedAtMs: t0, expiresAtMs: t0 + 3_600_000 });
    core.clock.advance(dayMs);
    const t1 = core.clock.nowMs();
    await core.store.pendingAuthorizations.insert({ id: 'new-request', params, loginAfterMs: null, createdAtMs: t1, expiresAtMs: t1 + 600_000 });
    await core.store.authorizationCodes.insert(code('new', t1));
    await core.store.sessionClients.record({ sessionId: 'new-session', clientId: 'rp', userId: 'u', firstIssuedAtMs: t1, lastIssuedAtMs: t1, expiresAtMs: t1 + 3_600_000 });

    await housekeep({ store: core.store, deps: core, tokens }, core.clock.nowMs());
    assert.equal(await core.store.pendingAuthorizations.find('old-request'), null);
    assert.notEqual(await core.store.pendingAuthorizations.find('new-request'), null);
    assert.equal(await core.store.authorizationCodes.findByHash(code('old', t0).codeHash), null);
    assert.notEqual(await core.store.authorizationCodes.findByHash(code('new', t1).codeHash), null);
    assert.deepEqual(await core.store.sessionClients.listClientsForSession('old-session'), []);
    assert.equal((await core.store.sessionClients.listClientsForSession('new-session')).length, 1);
  });

  it('an expired session still gets its back-channel logouts: its app list goes only after the session was ended', async () => {
    const core = await createTestCore();
    const tokens = createTestTokenDeps(core);
    await createClient(core, { id: 'rp', name: 'RP', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: ['https://rp.example.com/cb'], backchannelLogoutUri: 'https://rp.example.com/logout', audience: 'https://api.test' });
    const user = await seedUser(core, 'expiring@example.com');
    const { session } = await seedSession(core, user.id);
    await core.store.sessionClients.record({ sessionId: session.id, clientId: 'rp', userId: user.id, firstIssuedAtMs: core.clock.nowMs(), lastIssuedAtMs: core.clock.nowMs(), expiresAtMs: session.expiresAtMs });
    core.clock.advance(session.expiresAtMs - core.clock.nowMs());

    await housekeep({ store: core.store, deps: core, tokens }, core.clock.nowMs());
    assert.equal(await core.store.sessions.findWithUser(session.id), null);
    const logouts = await core.store.deliveries.list({ limit: 10, kind: 'backchannel_logout' });
    assert.equal(logouts.length, 1, 'the app was told');
    assert.deepEqual(await core.store.sessionClients.listClientsForSession(session.id), [], 'and the list is gone');
  });
});
