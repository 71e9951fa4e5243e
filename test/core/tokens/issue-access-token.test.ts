import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { issueAccessToken } from '../../../src/core/tokens/issue-access-token.ts';
import { seedSession, seedUser } from '../../support/core-deps.ts';
import { createTokenCore } from '../../support/token-core.ts';

describe('issueAccessToken', () => {
  it('signs an RFC 9068 token for the session and client, expiring after the TTL by the injected clock', async () => {
    const t = await createTokenCore();
    const user = await seedUser(t.core, 'access@example.com');
    const { session } = await seedSession(t.core, user.id);
    const issued = await issueAccessToken(t.deps, { user, session, client: t.client, scope: '' });
    assert.equal(decodeProtectedHeader(issued.accessToken).typ, 'at+jwt');
    const claims = decodeJwt(issued.accessToken);
    const nowSeconds = Math.floor(t.core.clock.nowMs() / 1000);
    assert.deepEqual(
      { iss: claims.iss, sub: claims.sub, aud: claims.aud, sid: claims.sid, client_id: claims.client_id, jti: claims.jti, iat: claims.iat, exp: claims.exp, scope: claims.scope },
      { iss: t.deps.issuer, sub: user.id, aud: t.client.audience, sid: session.id, client_id: t.client.id, jti: issued.jti, iat: nowSeconds, exp: nowSeconds + t.deps.accessTokenTtlMs / 1000, scope: undefined },
    );
    assert.equal(issued.expiresInSeconds, t.deps.accessTokenTtlMs / 1000);
  });

  it('never outlives the session', async () => {
    const t = await createTokenCore();
    const user = await seedUser(t.core, 'short@example.com');
    const { session } = await seedSession(t.core, user.id);
    const ending = { ...session, expiresAtMs: t.core.clock.nowMs() + 30_000 };
    const issued = await issueAccessToken(t.deps, { user, session: ending, client: t.client, scope: 'read' });
    assert.equal(issued.expiresAtMs, ending.expiresAtMs);
    assert.equal(decodeJwt(issued.accessToken).scope, 'read');
  });
});
