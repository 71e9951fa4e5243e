import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseSessionToken } from '../../../src/core/sessions/session-token.ts';
import { issueRefreshToken } from '../../../src/core/tokens/issue-token-pair.ts';
import { seedSession, seedUser } from '../../support/core-deps.ts';
import { createTokenCore, recordOf } from '../../support/token-core.ts';

describe('issueRefreshToken', () => {
  it('starts a new family: id.secret, only the hash of the secret stored, limits from the policy and the session', async () => {
    const t = await createTokenCore();
    const user = await seedUser(t.core, 'issue@example.com');
    const { session } = await seedSession(t.core, user.id);
    const token = await t.core.store.transaction((tx) => issueRefreshToken(t.deps, tx, { session, client: t.client, scope: '' }));
    assert.ok(token !== null);
    const parsed = parseSessionToken(token);
    const record = await recordOf(t, token);
    assert.ok(parsed !== null && record !== null);
    assert.equal(record.familyId, record.id, 'the first token names its family');
    assert.equal(record.sessionId, session.id);
    assert.equal(record.clientId, t.client.id);
    assert.deepEqual(record.secretHash, new Uint8Array(createHash('sha256').update(parsed.secret).digest()));
    assert.ok(!JSON.stringify({ ...record, secretHash: [...record.secretHash] }).includes(parsed.secret), 'the secret itself is not stored');
    const nowMs = t.core.clock.nowMs();
    assert.equal(record.idleExpiresAtMs, nowMs + t.deps.refreshPolicy.idleTtlMs);
    assert.equal(record.familyExpiresAtMs, Math.min(nowMs + t.deps.refreshPolicy.absoluteTtlMs, session.expiresAtMs), 'never outlives its session');
    assert.equal(record.usedAtMs, null);
  });

  it('issues nothing to a client that may not refresh', async () => {
    const t = await createTokenCore();
    const user = await seedUser(t.core, 'no-refresh@example.com');
    const { session } = await seedSession(t.core, user.id);
    const client = { ...t.client, grantTypes: ['password' as const] };
    assert.equal(await t.core.store.transaction((tx) => issueRefreshToken(t.deps, tx, { session, client, scope: '' })), null);
  });
});
