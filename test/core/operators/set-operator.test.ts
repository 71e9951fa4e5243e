import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantOperator, revokeOperator } from '../../../src/core/operators/set-operator.ts';
import { createTestCore, seedUser, testContext } from '../../support/core-deps.ts';

describe('grantOperator / revokeOperator', () => {
  it('grant makes the user an operator and revoke ends it, each audited with who did it', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    assert.equal(await grantOperator(core, alice.id, { ...testContext(), actorId: 'user-root' }), true);
    assert.equal(await core.store.operators.operatorSince(alice.id), core.clock.nowMs());
    core.clock.advance(1000);
    assert.equal(await revokeOperator(core, alice.id, testContext()), true);
    assert.equal(await core.store.operators.operatorSince(alice.id), null);
    const events = await core.store.audit.list({ limit: 10, userId: alice.id });
    assert.deepEqual(
      events.filter((e) => e.type.startsWith('operator.')).map((e) => [e.type, e.actorId]),
      [
        ['operator.revoked', null],
        ['operator.granted', 'user-root'],
      ],
    );
  });

  it('an unknown user: false, and nothing is audited', async () => {
    const core = await createTestCore();
    assert.equal(await grantOperator(core, 'user-nobody', testContext()), false);
    assert.equal(await revokeOperator(core, 'user-nobody', testContext()), false);
    assert.deepEqual(await core.store.audit.list({ limit: 10 }), []);
  });
});
