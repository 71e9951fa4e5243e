import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sendPasswordReset } from '../../../src/core/operators/send-password-reset.ts';
import { createTestCore, seedUser, testContext } from '../../support/core-deps.ts';

describe('sendPasswordReset (console)', () => {
  it("mails the user's current address a reset link and audits it with the operator as the actor", async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'ada@example.com');
    assert.equal(await sendPasswordReset(core, user.id, { ...testContext(), actorId: 'operator-1' }), true);
    assert.equal(core.outbox.lastTo('ada@example.com')?.kind, 'password_reset');
    const [entry] = await core.store.auditSearch.page({ userId: user.id, type: 'password_reset.requested' }, { limit: 5 });
    assert.equal(entry?.actorId, 'operator-1');
    assert.equal(entry?.detail, 'mailed');
  });

  it('answers false for an unknown user id and mails nobody', async () => {
    const core = await createTestCore();
    assert.equal(await sendPasswordReset(core, 'no-such-user', testContext()), false);
    assert.equal(core.outbox.sent.length, 0);
  });
});
