import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logOut } from '../../../src/core/sessions/log-out.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { createTestCore, seedSession, seedUser, testContext } from '../../support/core-deps.ts';

describe('logOut', () => {
  it('deletes the current session, so the token replayed afterwards is refused (SEC-12)', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const here = await seedSession(core, alice.id);
    const other = await seedSession(core, alice.id);
    const current = await validateSession(core, here.token);
    assert.ok(current !== null);

    await logOut(core, current, testContext());

    assert.equal(await validateSession(core, here.token), null);
    assert.equal(await core.store.sessions.findWithUser(here.session.id), null);
    assert.notEqual(await validateSession(core, other.token), null, 'other devices stay logged in');
    const [event] = await core.store.audit.list({ limit: 10, userId: alice.id });
    assert.equal(event?.type, 'logout');
  });
});
