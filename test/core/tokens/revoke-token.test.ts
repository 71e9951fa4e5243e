import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { issueAccessToken } from '../../../src/core/tokens/issue-access-token.ts';
import { revokeToken } from '../../../src/core/tokens/revoke-token.ts';
import { createTokenCore, recordOf, signInWithRefreshToken } from '../../support/token-core.ts';

describe('revokeToken', () => {
  it('a refresh token ends its session and family, and the session is announced in the revocation feed', async () => {
    const t = await createTokenCore();
    const { session, refreshToken } = await signInWithRefreshToken(t, 'revoke@example.com');
    await revokeToken(t.deps, t.client, refreshToken);
    assert.equal(await recordOf(t, refreshToken), null);
    assert.equal(await t.core.store.sessions.findWithUser(session.id), null);
    const feed = await t.core.store.revocations.listAfter(0, 10);
    assert.deepEqual(
      feed.map((r) => ({ sid: r.sid, jti: r.jti, reason: r.reason })),
      [{ sid: session.id, jti: null, reason: 'session_revoked' }],
    );
  });

  it("an access token gets a jti entry until its exp; another client's token and garbage change nothing", async () => {
    const t = await createTokenCore();
    const { user, session, refreshToken } = await signInWithRefreshToken(t, 'revoke-access@example.com');
    const access = await issueAccessToken(t.deps, { user, session, client: t.client, scope: '' });

    await revokeToken(t.deps, t.otherClient, refreshToken);
    await revokeToken(t.deps, t.otherClient, access.accessToken);
    await revokeToken(t.deps, t.client, 'garbage');
    assert.ok((await recordOf(t, refreshToken)) !== null, "another client's revocation is ignored");
    assert.deepEqual(await t.core.store.revocations.listAfter(0, 10), []);

    await revokeToken(t.deps, t.client, access.accessToken);
    const feed = await t.core.store.revocations.listAfter(0, 10);
    assert.equal(feed.length, 1);
    assert.equal(feed[0]?.jti, access.jti);
    assert.equal(feed[0]?.expiresAtMs, Math.floor(access.expiresAtMs / 1000) * 1000);
    assert.equal(feed[0]?.reason, 'token_revoked');
    assert.ok((await t.core.store.sessions.findWithUser(session.id)) !== null, 'the session itself lives on');
  });
});
