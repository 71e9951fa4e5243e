import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { revokeAllSessions } from '../../../src/core/sessions/revoke-all-sessions.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { createTestCore, seedSession, seedUser, testContext } from '../../support/core-deps.ts';

describe('revokeAllSessions (operator)', () => {
  it('ends every session of the user, returns their ids, and leaves other users alone', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const bob = await seedUser(core, 'bob@example.com');
    const sessions = [await seedSession(core, alice.id), await seedSession(core, alice.id)];
    const bobs = await seedSession(core, bob.id);

    const ended = await revokeAllSessions(core, alice.id, testContext());

    assert.deepEqual([...ended].sort(), sessions.map((s) => s.session.id).sort());
    for (const s of sessions) assert.equal(await validateSession(core, s.token), null);
    assert.notEqual(await validateSession(core, bobs.token), null);
    assert.equal((await core.store.audit.list({ limit: 10, userId: alice.id })).filter((e) => e.type === 'session.revoked').length, 2);
  });

  it('returns an empty list for a user with no sessions', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    assert.deepEqual(await revokeAllSessions(core, alice.id, testContext()), []);
  });
});
