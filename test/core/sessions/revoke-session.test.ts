import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { revokeSession } from '../../../src/core/sessions/revoke-session.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedSession, seedUser, testContext } from '../../support/core-deps.ts';

describe('revokeSession', () => {
  it('revokes one of the user’s own sessions and leaves the others', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const laptop = await seedSession(core, alice.id);
    const phone = await seedSession(core, alice.id);

    await revokeSession(core, alice.id, phone.session.id, testContext());

    assert.equal(await validateSession(core, phone.token), null);
    assert.equal((await validateSession(core, laptop.token))?.session.id, laptop.session.id);
    const [event] = await core.store.audit.list({ limit: 10, userId: alice.id });
    assert.equal(event?.type, 'session.revoked');
    assert.equal(event?.detail, `session ${phone.session.id}`);
  });

  it('answers another user’s session id with session_not_found, and that session survives (SEC-58)', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const mallory = await seedUser(core, 'mallory@example.com');
    const victim = await seedSession(core, alice.id);
    await seedSession(core, mallory.id);

    const error = await rejectsWithAuthError(revokeSession(core, mallory.id, victim.session.id, testContext()), 'session_not_found');
    assert.equal(error.status, 404);
    assert.equal((await validateSession(core, victim.token))?.user.id, alice.id);
    assert.deepEqual(await core.store.audit.list({ limit: 10 }), [], 'nothing was recorded as revoked');
  });

  it('answers an unknown id exactly like another user’s (SEC-58)', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const bob = await seedUser(core, 'bob@example.com');
    const bobs = await seedSession(core, bob.id);
    const unknown = await rejectsWithAuthError(revokeSession(core, alice.id, 'AAAAAAAAAAAAAAAAAAAAAA', testContext()), 'session_not_found');
    const foreign = await rejectsWithAuthError(revokeSession(core, alice.id, bobs.session.id, testContext()), 'session_not_found');
    assert.equal(unknown.message, foreign.message);
    assert.equal(unknown.detail, foreign.detail);
  });

  it('answers a session already revoked with session_not_found', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const { session } = await seedSession(core, alice.id);
    await revokeSession(core, alice.id, session.id, testContext());
    await rejectsWithAuthError(revokeSession(core, alice.id, session.id, testContext()), 'session_not_found');
  });
});
