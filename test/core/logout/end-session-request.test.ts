import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideEndSession, type EndSessionParams } from '../../../src/core/logout/end-session-request.ts';
import type { SessionWithUser } from '../../../src/core/ports.ts';
import { signJwt } from '../../../src/core/tokens/sign-jwt.ts';
import { clientRecord } from '../../support/client-record.ts';
import { createTestCore, seedSession, seedUser } from '../../support/core-deps.ts';
import { createTestTokenDeps, testOrigin } from '../../support/http-app.ts';

const registered = 'https://app.example/logged-out';

async function setUp() {
  const core = await createTestCore();
  const tokens = createTestTokenDeps(core);
  await tokens.keyRing.ensureKey();
  const basics = { name: 'App', type: 'confidential' as const, secretHash: null, grantTypes: ['authorization_code' as const], refreshTokenDelivery: 'body' as const, createdAtMs: 0 };
  await core.store.clients.create(clientRecord({ ...basics, id: 'app-1', audience: 'app-1' }, { redirectUris: ['https://app.example/cb'], postLogoutRedirectUris: [registered, 'https://app.example/bye?from=gatehouse'] }));
  await core.store.clients.create(clientRecord({ ...basics, id: 'app-2', audience: 'app-2' }, { postLogoutRedirectUris: ['https://other.example/bye'] }));
  const user = await seedUser(core, 'ada@example.com');
  const { session } = await seedSession(core, user.id);
  const current: SessionWithUser = { session, user };
  const deps = { clock: core.clock, issuer: testOrigin, publicJwks: () => tokens.keyRing.publicJwks(), clients: core.store.clients };
  const nowSeconds = Math.floor(core.clock.nowMs() / 1000);
  const idToken = async (claims: Record<string, unknown> = {}): Promise<string> => {
    const { kid, alg, privateKey } = await tokens.keyRing.activeKey();
    return signJwt({ alg, kid, typ: 'JWT' }, { iss: testOrigin, sub: user.id, aud: 'app-1', sid: session.id, iat: nowSeconds, exp: nowSeconds + 300, ...claims }, privateKey);
  };
  const decide = (params: EndSessionParams, who: SessionWithUser | null = current) => decideEndSession(deps, params, who);
  return { decide, idToken, current };
}

describe('decideEndSession', () => {
  it('a hint of this session and a registered URI: log out at once, back to the URI with state; without state, no state', async () => {
    const { decide, idToken } = await setUp();
    const hint = await idToken();
    const withState = await decide({ idTokenHint: hint, postLogoutRedirectUri: registered, state: 'xyz 1/2' });
    assert.equal(withState.kind, 'log_out');
    assert.equal(withState.kind === 'log_out' && withState.redirectTo, 'https://app.example/logged-out?state=xyz+1%2F2');
    assert.equal(withState.kind === 'log_out' && withState.confirm, false);
    assert.equal(withState.kind === 'log_out' && withState.client?.id, 'app-1');
    const noState = await decide({ idTokenHint: hint, postLogoutRedirectUri: registered, clientId: 'app-1' });
    assert.equal(noState.kind === 'log_out' && noState.redirectTo, registered);
    const registeredQuery = await decide({ idTokenHint: hint, postLogoutRedirectUri: 'https://app.example/bye?from=gatehouse', state: 's' });
    assert.equal(registeredQuery.kind === 'log_out' && registeredQuery.redirectTo, 'https://app.example/bye?from=gatehouse&state=s', 'the registered query is kept');
  });

  it('never redirects anywhere not registered for that app, compared exactly (SEC-220)', async () => {
    const { decide, idToken } = await setUp();
    const hint = await idToken();
    for (const uri of [
      'https://evil.example/',
      `${registered}?foo=bar`,
      `${registered}/`,
      `${registered}#x`,
      'https://APP.example/logged-out',
      'https://app.example/logged-out/../logged-out',
      'https://app.example/logged',
      'https://other.example/bye',
    ]) {
      assert.deepEqual(await decide({ idTokenHint: hint, postLogoutRedirectUri: uri, state: 's' }), { kind: 'refused', reason: 'unregistered_post_logout_redirect_uri' }, uri);
    }
    assert.deepEqual(await decide({ postLogoutRedirectUri: registered, clientId: 'app-1' }), { kind: 'refused', reason: 'post_logout_redirect_uri_without_id_token_hint' });
    assert.deepEqual(await decide({ postLogoutRedirectUri: registered }), { kind: 'refused', reason: 'post_logout_redirect_uri_without_id_token_hint' });
  });

  it('a bad hint, an unknown client or a client_id that is not the hint audience is refused (SEC-221)', async () => {
    const { decide, idToken } = await setUp();
    const hint = await idToken();
    assert.deepEqual(await decide({ idTokenHint: `${hint.slice(0, -20)}${hint.at(-20) === 'A' ? 'B' : 'A'}${hint.slice(-19)}`, postLogoutRedirectUri: registered }), { kind: 'refused', reason: 'invalid_id_token_hint' });
    assert.deepEqual(await decide({ idTokenHint: 'garbage' }), { kind: 'refused', reason: 'invalid_id_token_hint' });
    assert.deepEqual(await decide({ idTokenHint: hint, clientId: 'app-2', postLogoutRedirectUri: 'https://other.example/bye' }), { kind: 'refused', reason: 'client_mismatch' });
    assert.deepEqual(await decide({ clientId: 'nobody' }), { kind: 'refused', reason: 'unknown_client' });
    assert.deepEqual(await decide({ idTokenHint: await idToken({ aud: 'deleted-app' }) }), { kind: 'refused', reason: 'unknown_client' });
  });

  it('asks first without a hint, or with a hint of another session or user; an expired hint of this session does not ask (SEC-222)', async () => {
    const { decide, idToken, current } = await setUp();
    assert.deepEqual(await decide({}), { kind: 'log_out', client: null, redirectTo: null, confirm: true });
    assert.equal((await decide({ state: 'only' })).kind === 'log_out', true);
    const other = await decide({ idTokenHint: await idToken({ sid: 'another-session' }), postLogoutRedirectUri: registered });
    assert.equal(other.kind === 'log_out' && other.confirm, true);
    const otherUser = await decide({ idTokenHint: await idToken({ sub: 'user-someone-else' }) });
    assert.equal(otherUser.kind === 'log_out' && otherUser.confirm, true);
    const expired = await decide({ idTokenHint: await idToken({ iat: 1, exp: 2 }) });
    assert.equal(expired.kind === 'log_out' && expired.confirm, false);
    assert.deepEqual(await decide({}, null), { kind: 'log_out', client: null, redirectTo: null, confirm: false }, 'nobody signed in: nothing to confirm');
    const mine = await decide({ idTokenHint: await idToken({ sid: current.session.id }) });
    assert.equal(mine.kind === 'log_out' && mine.confirm, false);
  });
});
