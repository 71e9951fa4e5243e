import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listSessions } from '../../../src/core/sessions/list-sessions.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { createTestCore, seedSession, seedUser } from '../../support/core-deps.ts';

const dayMs = 24 * 60 * 60 * 1000;

describe('listSessions', () => {
  it('lists the user’s live sessions, most recently seen first, and no one else’s', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const bob = await seedUser(core, 'bob@example.com');
    const first = await seedSession(core, alice.id);
    core.clock.advance(1_000);
    const second = await seedSession(core, alice.id);
    core.clock.advance(1_000);
    const third = await seedSession(core, alice.id);
    await seedSession(core, bob.id);
    core.clock.advance(120_000);
    await validateSession(core, first.token); // touched: now the most recently seen

    // Neither insertion order nor its reverse: sorted by lastSeenAtMs.
    assert.deepEqual(
      (await listSessions(core, alice.id)).map((s) => s.id),
      [first.session.id, third.session.id, second.session.id],
    );
  });

  it('leaves out sessions past the idle or the absolute limit', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const idle = await seedSession(core, alice.id);
    const active = await seedSession(core, alice.id);
    for (let day = 0; day < 7; day++) {
      core.clock.advance(dayMs);
      await validateSession(core, active.token);
    }
    assert.deepEqual((await listSessions(core, alice.id)).map((s) => s.id), [active.session.id]);
    assert.ok(!(await listSessions(core, alice.id)).some((s) => s.id === idle.session.id));

    core.clock.advance(30 * dayMs);
    assert.deepEqual(await listSessions(core, alice.id), []);
  });
});
