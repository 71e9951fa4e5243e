import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { revokeOtherSessions } from '../../../src/core/sessions/revoke-other-sessions.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { createTestCore, seedSession, seedUser, testContext } from '../../support/core-deps.ts';

describe('revokeOtherSessions', () => {
  it('ends every session of the user but the current one, and only the user’s', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const bob = await seedUser(core, 'bob@example.com');
    const here = await seedSession(core, alice.id);
    const elsewhere = [await seedSession(core, alice.id), await seedSession(core, alice.id)];
    const bobs = await seedSession(core, bob.id);

    const current = await validateSession(core, here.token);
    assert.ok(current !== null);
    assert.equal(await revokeOtherSessions(core, current, testContext()), 2);

    assert.notEqual(await validateSession(core, here.token), null);
    for (const s of elsewhere) assert.equal(await validateSession(core, s.token), null);
    assert.notEqual(await validateSession(core, bobs.token), null);
    const revoked = (await core.store.audit.list({ limit: 10, userId: alice.id })).filter((e) => e.type === 'session.revoked');
    assert.deepEqual(revoked.map((e) => e.detail).sort(), elsewhere.map((s) => `session ${s.session.id}`).sort());
  });

  it('returns 0 when the current session is the only one', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const here = await seedSession(core, alice.id);
    const current = await validateSession(core, here.token);
    assert.ok(current !== null);
    assert.equal(await revokeOtherSessions(core, current, testContext()), 0);
    assert.notEqual(await validateSession(core, here.token), null);
  });
});
