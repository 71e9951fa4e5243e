import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe as describeOn, it } from 'node:test';
import { decodeJwt } from 'jose';
import { hashSecret } from '../../../../src/core/sessions/session-token.ts';
import { refreshTokenGrant } from '../../../../src/core/tokens/grants/refresh-token-grant.ts';
import { rejectsWithAuthError } from '../../../support/auth-error.ts';
import { testContext } from '../../../support/core-deps.ts';
import { openSqliteStore } from '../../../../src/storage/sql/sqlite.ts';
import { createTokenCore as tokenCoreOn, recordOf, signInWithRefreshToken, type TokenCore } from '../../../support/token-core.ts';

/**
 * The refresh grant at the core, with the injected clock (the HTTP tests are in
 * test/http/routes/token.test.ts): rotation, the grace window for a benign race, reuse revoking
 * the whole family and its session, and concurrent presentations. Every case runs on the memory
 * store, where the grant reads first and then rotates, and on SQLite (in memory), whose
 * transactions are local: there the grant reads, checks and rotates in one transaction.
 */

const refresh = (t: TokenCore, token: string, client = t.client) => refreshTokenGrant(t.deps, client, token, testContext());

for (const storeKind of ['memory', 'SQLite'] as const) {
  const createTokenCore = async (): Promise<TokenCore> => tokenCoreOn(storeKind === 'memory' ? {} : { store: await openSqliteStore(':memory:', { migrate: 'on-open' }) });
  const describe = (name: string, fn: () => void) => describeOn(`${name} (${storeKind})`, fn);

  describe('refreshTokenGrant: rotation', () => {
    it('exchanges the token for a new one in the same family and a fresh access token; the old one is marked used', async () => {
      const t = await createTokenCore();
      const { user, session, refreshToken } = await signInWithRefreshToken(t, 'rotate@example.com');
      const first = await recordOf(t, refreshToken);
      t.core.clock.advance(60_000);

      const issued = await refresh(t, refreshToken);
      assert.ok(issued.refreshToken !== null && issued.refreshToken !== refreshToken);
      const claims = decodeJwt(issued.accessToken);
      assert.equal(claims.sub, user.id);
      assert.equal(claims.sid, session.id);
      assert.equal(claims.client_id, t.client.id);

      const used = await recordOf(t, refreshToken);
      const next = await recordOf(t, issued.refreshToken);
      assert.equal(used?.usedAtMs, t.core.clock.nowMs());
      assert.equal(used?.successorId, next?.id);
      assert.equal(next?.familyId, first?.familyId);
      assert.equal(next?.usedAtMs, null);
      assert.equal(next?.familyExpiresAtMs, first?.familyExpiresAtMs, 'rotation never extends the family');
      assert.equal(next?.idleExpiresAtMs, Math.min(t.core.clock.nowMs() + t.deps.refreshPolicy.idleTtlMs, first!.familyExpiresAtMs));
    });

    it('each rotation starts a new idle window; the family still ends at its absolute limit', async () => {
      const t = await createTokenCore();
      let { refreshToken } = await signInWithRefreshToken(t, 'idle@example.com');
      const { idleTtlMs } = t.deps.refreshPolicy;
      for (let i = 0; i < 3; i++) {
        t.core.clock.advance(idleTtlMs - 1_000);
        refreshToken = (await refresh(t, refreshToken)).refreshToken!;
      }
      t.core.clock.advance(idleTtlMs);
      await rejectsWithAuthError(refresh(t, refreshToken), 'invalid_grant');
    });
  });

  describe('refreshTokenGrant: the grace window', () => {
    it('the same token again within the grace window, by the same client, gets the same successor (two tabs)', async () => {
      const t = await createTokenCore();
      const { refreshToken } = await signInWithRefreshToken(t, 'tabs@example.com');
      const first = await refresh(t, refreshToken);
      t.core.clock.advance(t.deps.refreshPolicy.reuseGraceMs);
      const second = await refresh(t, refreshToken);
      assert.equal(second.refreshToken, first.refreshToken);
      assert.notEqual(second.jti, first.jti, 'each caller gets its own access token');
      assert.equal((await recordOf(t, first.refreshToken!))?.usedAtMs, null, 'the successor is still live');
    });
  });

  describe('refreshTokenGrant: time-ordered ids', () => {
    it('the first token and each successor get an id carrying when they were issued (neighbours in the primary-key index)', async () => {
      const t = await createTokenCore();
      const issuedAtMs = t.core.clock.nowMs();
      const { refreshToken } = await signInWithRefreshToken(t, 'ordered@example.com');
      t.core.clock.advance(90_000);
      const next = (await refresh(t, refreshToken)).refreshToken!;
      const timeOf = (token: string): number => Buffer.from(token.split('.')[0] as string, 'base64url').readUIntBE(0, 6);
      assert.equal(timeOf(refreshToken), issuedAtMs);
      assert.equal(timeOf(next), t.core.clock.nowMs());
      assert.equal((await recordOf(t, refreshToken))?.usedAtMs, t.core.clock.nowMs());
    });

    it('a token rotated before ids were time-ordered, presented again within the grace window, gets that same successor (an upgrade mid-race is no reuse)', async () => {
      const t = await createTokenCore();
      const { session, refreshToken } = await signInWithRefreshToken(t, 'upgrade@example.com');
      const [id, secret] = refreshToken.split('.') as [string, string];
      // What the previous release stored: the successor's id was the first 128 bits of the HMAC, its secret as now.
      const derived = createHmac('sha512', t.deps.rotationKey).update(`gatehouse refresh rotation v1\0${secret}`).digest();
      const legacyId = derived.subarray(0, 16).toString('base64url');
      const legacySecret = derived.subarray(16, 48).toString('base64url');
      const record = (await recordOf(t, refreshToken))!;
      const nowMs = t.core.clock.nowMs();
      assert.ok(await t.core.store.refreshTokens.rotate(id, nowMs, { ...record, id: legacyId, secretHash: hashSecret(legacySecret), createdAtMs: nowMs }));
      t.core.clock.advance(t.deps.refreshPolicy.reuseGraceMs);

      const again = await refresh(t, refreshToken);
      assert.equal(again.refreshToken, `${legacyId}.${legacySecret}`);
      assert.ok(await t.core.store.sessions.findWithUser(session.id), 'no family revoked');
      const next = await refresh(t, again.refreshToken!);
      assert.ok(next.refreshToken !== null, 'and the old-style successor rotates on');
    });
  });

  describe('refreshTokenGrant: reuse', () => {
    it('the token again after the grace window revokes the whole family and its session, and is refused', async () => {
      const t = await createTokenCore();
      const { session, refreshToken } = await signInWithRefreshToken(t, 'stolen@example.com');
      const successor = (await refresh(t, refreshToken)).refreshToken!;
      t.core.clock.advance(t.deps.refreshPolicy.reuseGraceMs + 1);

      await rejectsWithAuthError(refresh(t, refreshToken), 'invalid_grant');
      assert.equal(await recordOf(t, refreshToken), null);
      assert.equal(await recordOf(t, successor), null, 'the live successor is gone too');
      assert.equal(await t.core.store.sessions.findWithUser(session.id), null, 'the session ended');
      const feed = await t.core.store.revocations.listAfter(0, 10);
      assert.ok(feed.some((r) => r.sid === session.id && r.reason === 'refresh_reuse'), 'its access tokens are revoked through the feed');
      const audit = await t.core.store.audit.list({ limit: 10 });
      assert.ok(audit.some((e) => e.type === 'refresh.reuse_detected'));
      await rejectsWithAuthError(refresh(t, successor), 'invalid_grant');
    });

    it('within the grace window too, once the successor itself was used', async () => {
      const t = await createTokenCore();
      const { session, refreshToken } = await signInWithRefreshToken(t, 'chain@example.com');
      const b = (await refresh(t, refreshToken)).refreshToken!;
      const c = (await refresh(t, b)).refreshToken!;
      await rejectsWithAuthError(refresh(t, refreshToken), 'invalid_grant');
      assert.equal(await recordOf(t, c), null);
      assert.equal(await t.core.store.sessions.findWithUser(session.id), null);
    });
  });

  describe('refreshTokenGrant: a race', () => {
    it('two concurrent presentations of one token both get the same successor; one successor row exists', async () => {
      const t = await createTokenCore();
      const { refreshToken } = await signInWithRefreshToken(t, 'race@example.com');
      const [a, b] = await Promise.all([refresh(t, refreshToken), refresh(t, refreshToken)]);
      assert.equal(a.refreshToken, b.refreshToken);
      const used = await recordOf(t, refreshToken);
      assert.equal(used?.successorId, (await recordOf(t, a.refreshToken!))?.id);
    });

    it('of two concurrent rotations of a token and of its successor, the later reuse is caught', async () => {
      const t = await createTokenCore();
      const { session, refreshToken } = await signInWithRefreshToken(t, 'race-reuse@example.com');
      const b = (await refresh(t, refreshToken)).refreshToken!;
      t.core.clock.advance(t.deps.refreshPolicy.reuseGraceMs + 1);
      const outcomes = await Promise.allSettled([refresh(t, b), refresh(t, refreshToken)]);
      assert.equal(outcomes[1].status, 'rejected', 'the old token is a reuse');
      assert.equal(await t.core.store.sessions.findWithUser(session.id), null, 'and the session ended');
    });
  });

  describe('refreshTokenGrant: refused', () => {
    it('another client, an expired token, an ended session, a malformed token; a client without the grant', async () => {
      const t = await createTokenCore();
      const { refreshToken } = await signInWithRefreshToken(t, 'refused@example.com');
      await rejectsWithAuthError(refresh(t, refreshToken, t.otherClient), 'invalid_grant');
      await rejectsWithAuthError(refresh(t, 'not-a-token'), 'invalid_grant');
      await rejectsWithAuthError(refresh(t, refreshToken, { ...t.client, grantTypes: ['password'] }), 'unauthorized_client');

      const ended = await signInWithRefreshToken(t, 'ended@example.com');
      await t.core.store.sessions.delete(ended.session.id);
      await rejectsWithAuthError(refresh(t, ended.refreshToken), 'invalid_grant');

      t.core.clock.advance(t.deps.refreshPolicy.idleTtlMs);
      await rejectsWithAuthError(refresh(t, refreshToken), 'invalid_grant');
    });
  });
}

describeOn('refreshTokenGrant on SQLite: one transaction', () => {
  it('reads the token inside the transaction that rotates it, never on its own', async () => {
    const store = await openSqliteStore(':memory:', { migrate: 'on-open' });
    assert.equal(store.localTransactions, true);
    const t = await tokenCoreOn({ store });
    const { refreshToken } = await signInWithRefreshToken(t, 'one-transaction@example.com');
    let readsOutside = 0;
    const findWithSession = store.refreshTokens.findWithSession.bind(store.refreshTokens);
    store.refreshTokens.findWithSession = (id) => {
      readsOutside++;
      return findWithSession(id);
    };
    const issued = await refresh(t, refreshToken);
    assert.ok(issued.refreshToken !== null);
    assert.equal(readsOutside, 0);
    assert.equal((await recordOf(t, refreshToken))?.successorId, (await recordOf(t, issued.refreshToken))?.id);
    await store.close();
  });
});
