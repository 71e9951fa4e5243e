import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { verifyIdTokenHint } from '../../../src/core/logout/verify-id-token-hint.ts';
import { signJwt } from '../../../src/core/tokens/sign-jwt.ts';
import { createTestCore } from '../../support/core-deps.ts';
import { createTestTokenDeps, testOrigin } from '../../support/http-app.ts';

async function setUp() {
  const core = await createTestCore();
  const tokens = createTestTokenDeps(core);
  await tokens.keyRing.ensureKey();
  const deps = { clock: core.clock, issuer: testOrigin, publicJwks: () => tokens.keyRing.publicJwks() };
  const nowSeconds = Math.floor(core.clock.nowMs() / 1000);
  const sign = async (claims: Record<string, unknown>): Promise<string> => {
    const { kid, alg, privateKey } = await tokens.keyRing.activeKey();
    return signJwt({ alg, kid, typ: 'JWT' }, { iss: testOrigin, sub: 'user-1', aud: 'app-1', sid: 'session-1', iat: nowSeconds, exp: nowSeconds + 300, ...claims }, privateKey);
  };
  return { core, tokens, deps, sign, nowSeconds };
}

describe('verifyIdTokenHint', () => {
  it('answers sub, aud and sid of an ID token we signed, and still of one that expired long ago', async () => {
    const { deps, sign, nowSeconds } = await setUp();
    assert.deepEqual(await verifyIdTokenHint(deps, await sign({})), { sub: 'user-1', aud: ['app-1'], sid: 'session-1' });
    assert.deepEqual(await verifyIdTokenHint(deps, await sign({ iat: nowSeconds - 90_000, exp: nowSeconds - 86_400, sid: undefined })), { sub: 'user-1', aud: ['app-1'], sid: null });
  });

  it('refuses a forged or modified hint: a changed payload, another key, alg none, HMAC with the public key, another issuer (even expired), garbage (SEC-221)', async () => {
    const { deps, sign, nowSeconds } = await setUp();
    const good = await sign({});
    const [header, payload, signature] = good.split('.') as [string, string, string];
    const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'user-2' })).toString('base64url');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherKey = await new SignJWT({ sub: 'user-1', aud: 'app-1' }).setProtectedHeader({ alg: 'ES256', kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid }).setIssuer(testOrigin).setIssuedAt().setExpirationTime('5m').sign(privateKey);
    const none = new UnsecuredJWT({ sub: 'user-1', aud: 'app-1' }).setIssuer(testOrigin).setIssuedAt().setExpirationTime('5m').encode();
    const jwk = (await deps.publicJwks()).keys[0]!;
    const hmac = await new SignJWT({ sub: 'user-1', aud: 'app-1' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(testOrigin).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(JSON.stringify(jwk)));
    for (const [what, token] of [
      ['a changed payload', `${header}.${otherPayload}.${signature}`],
      ['a changed signature', `${header}.${payload}.${flipped}`],
      ['another key with our kid', otherKey],
      ['alg none', none],
      ['HS256 keyed with our public key', hmac],
      ['another issuer', await sign({ iss: 'https://evil.test' })],
      ['another issuer, expired', await sign({ iss: 'https://evil.test', exp: nowSeconds - 10 })],
      ['not yet valid', await sign({ nbf: nowSeconds + 3600 })],
      ['no sub', await sign({ sub: undefined })],
      ['garbage', 'not-a-jwt'],
      ['empty parts', '..'],
    ] as const) {
      assert.equal(await verifyIdTokenHint(deps, token), null, what);
    }
  });
});

describe('verifyIdTokenHint and other tokens signed by the same keys', () => {
  it('refuses an access token or a logout token as the hint, though our key signed it for our issuer with a sub and sid (SEC-215)', async () => {
    const { tokens, deps, nowSeconds } = await setUp();
    const { kid, alg, privateKey } = await tokens.keyRing.activeKey();
    const claims = { iss: testOrigin, sub: 'user-1', aud: 'app-1', sid: 'session-1', client_id: 'app-1', iat: nowSeconds, exp: nowSeconds + 300, jti: 'j1' };
    for (const [what, typ, extra] of [
      ['an access token (at+jwt)', 'at+jwt', {}],
      ['an access token, expired', 'at+jwt', { exp: nowSeconds - 10 }],
      ['a logout token (logout+jwt)', 'logout+jwt', { events: { 'http://schemas.openid.net/event/backchannel-logout': {} } }],
    ] as const) {
      assert.equal(await verifyIdTokenHint(deps, await signJwt({ alg, kid, typ }, { ...claims, ...extra }, privateKey)), null, what);
    }
    assert.equal(await verifyIdTokenHint(deps, await new SignJWT(claims).setProtectedHeader({ alg, kid }).sign(privateKey)), null, 'a token with no typ');
    // An ID token under the same keys still passes (also with typ in another case, as JOSE compares it).
    assert.notEqual(await verifyIdTokenHint(deps, await signJwt({ alg, kid, typ: 'jwt' }, claims, privateKey)), null);
  });
});
