import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refreshTokenGrant } from '../../../src/core/tokens/grants/refresh-token-grant.ts';
import { introspectToken } from '../../../src/core/tokens/introspect-token.ts';
import { issueAccessToken } from '../../../src/core/tokens/issue-access-token.ts';
import { revokeToken } from '../../../src/core/tokens/revoke-token.ts';
import { testContext } from '../../support/core-deps.ts';
import { createTokenCore, recordOf, signInWithRefreshToken } from '../../support/token-core.ts';

describe('introspectToken', () => {
  it('a live refresh token is active with its client, user, session and expiry; once used, it is not', async () => {
    const t = await createTokenCore();
    const { user, session, refreshToken } = await signInWithRefreshToken(t, 'intro@example.com');
    const record = (await recordOf(t, refreshToken))!;
    assert.deepEqual(await introspectToken(t.deps, t.client, refreshToken), {
      active: true,
      token_type: 'refresh_token',
      client_id: t.client.id,
      sub: user.id,
      sid: session.id,
      scope: '',
      exp: Math.floor(Math.min(record.idleExpiresAtMs, record.familyExpiresAtMs) / 1000),
      iat: Math.floor(record.createdAtMs / 1000),
    });
    await refreshTokenGrant(t.deps, t.client, refreshToken, testContext());
    assert.deepEqual(await introspectToken(t.deps, t.client, refreshToken), { active: false });
  });

  it('an expired refresh token, or one whose session ended, is inactive', async () => {
    const t = await createTokenCore();
    const idle = await signInWithRefreshToken(t, 'intro-idle@example.com');
    t.core.clock.advance(t.deps.refreshPolicy.idleTtlMs);
    assert.deepEqual(await introspectToken(t.deps, t.client, idle.refreshToken), { active: false });
  });

  it('an access token is active until its session ends or it is revoked by jti; garbage is inactive', async () => {
    const t = await createTokenCore();
    const { user, session } = await signInWithRefreshToken(t, 'intro-access@example.com');
    const access = await issueAccessToken(t.deps, { user, session, client: t.client, scope: '' });
    const live = await introspectToken(t.deps, t.client, access.accessToken);
    assert.equal(live.active, true);
    assert.ok(live.active && live.sid === session.id && live.jti === access.jti && live.client_id === t.client.id && live.sub === user.id);

    await revokeToken(t.deps, t.client, access.accessToken);
    assert.deepEqual(await introspectToken(t.deps, t.client, access.accessToken), { active: false });

    const second = await issueAccessToken(t.deps, { user, session, client: t.client, scope: '' });
    await t.core.store.sessions.delete(session.id);
    assert.deepEqual(await introspectToken(t.deps, t.client, second.accessToken), { active: false });
    assert.deepEqual(await introspectToken(t.deps, t.client, 'garbage'), { active: false });
  });

  it('an access token past its exp (by the injected clock) is inactive', async () => {
    const t = await createTokenCore();
    const { user, session } = await signInWithRefreshToken(t, 'intro-exp@example.com');
    const access = await issueAccessToken(t.deps, { user, session, client: t.client, scope: '' });
    t.core.clock.advance(t.deps.accessTokenTtlMs + 1_000);
    assert.deepEqual(await introspectToken(t.deps, t.client, access.accessToken), { active: false });
  });

  // docs/security.md SEC-107 (RFC 7662 section 4): another API's client learns nothing.
  it('a live token is inactive to a client it was not issued to and whose audience it is not (SEC-107)', async () => {
    const t = await createTokenCore();
    const { user, session, refreshToken } = await signInWithRefreshToken(t, 'intro-other@example.com');
    const access = await issueAccessToken(t.deps, { user, session, client: t.client, scope: '' });
    const stranger = { id: 'billing-api', audience: 'https://billing.example.com' };
    assert.deepEqual(await introspectToken(t.deps, stranger, access.accessToken), { active: false });
    assert.deepEqual(await introspectToken(t.deps, stranger, refreshToken), { active: false });
    // The API the tokens are meant for (the client's audience) may ask.
    const audienceApi = { id: 'orders-api', audience: t.client.audience };
    assert.equal((await introspectToken(t.deps, audienceApi, access.accessToken)).active, true);
    assert.equal((await introspectToken(t.deps, audienceApi, refreshToken)).active, true);
    assert.equal((await introspectToken(t.deps, t.client, refreshToken)).active, true);
  });
});
