import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { backchannelLogoutEvent, logoutTokenTtlMs, signLogoutToken } from '../../../src/core/logout/logout-token.ts';
import { createTestCore } from '../../support/core-deps.ts';
import { createTestTokenDeps, testOrigin } from '../../support/http-app.ts';

describe('signLogoutToken', () => {
  it('is a logout+jwt for the app: iss, aud, iat, a two-minute exp, jti, the back-channel event, sub and sid, and no nonce (SEC-224)', async () => {
    const core = await createTestCore();
    const tokens = createTestTokenDeps(core);
    await tokens.keyRing.ensureKey();
    const deps = { clock: core.clock, random: core.random, issuer: testOrigin, signingKey: () => tokens.keyRing.activeKey() };
    const token = await signLogoutToken(deps, { clientId: 'app-1', sub: 'user-1', sid: 'session-1' });

    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await tokens.keyRing.publicJwks()), {
      issuer: testOrigin,
      audience: 'app-1',
      typ: 'logout+jwt',
      currentDate: new Date(core.clock.nowMs()),
      requiredClaims: ['iat', 'exp', 'jti', 'events', 'sub', 'sid'],
    });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.equal(payload.sub, 'user-1');
    assert.equal(payload['sid'], 'session-1');
    assert.deepEqual(payload['events'], { [backchannelLogoutEvent]: {} });
    assert.equal(payload.exp! - payload.iat!, logoutTokenTtlMs / 1000);
    assert.equal('nonce' in payload, false);
    const again = await signLogoutToken(deps, { clientId: 'app-1', sub: 'user-1', sid: 'session-1' });
    assert.notEqual((await jwtVerify(again, createLocalJWKSet(await tokens.keyRing.publicJwks()), { currentDate: new Date(core.clock.nowMs()) })).payload.jti, payload.jti, 'a fresh jti each time');
    assert.equal(decodeProtectedHeader(token).kid, (await tokens.keyRing.activeKey()).kid);
  });
});
