import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionWithUser } from '../../../src/core/ports.ts';
import { validateSession, validateSessionFromMemory } from '../../../src/core/sessions/validate-session.ts';
import { createTestCore, seedSession, seedUser, type TestCore } from '../../support/core-deps.ts';

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

async function setUp(): Promise<{ core: TestCore; userId: string; token: string; sessionId: string }> {
  const core = await createTestCore();
  const user = await seedUser(core, 'alice@example.com');
  const { session, token } = await seedSession(core, user.id);
  return { core, userId: user.id, token, sessionId: session.id };
}

function flipChar(text: string, index: number): string {
  const c = text[index];
  return `${text.slice(0, index)}${c === 'A' ? 'B' : 'A'}${text.slice(index + 1)}`;
}

describe('validateSession', () => {
  it('returns the session and its user for a valid token', async () => {
    const { core, userId, token, sessionId } = await setUp();
    const found = await validateSession(core, token);
    assert.ok(found !== null);
    assert.equal(found.session.id, sessionId);
    assert.equal(found.session.userId, userId);
    assert.equal(found.user.id, userId);
    assert.equal(found.user.email, 'alice@example.com');
  });

  it('records each refusal while the inspector records, and hands the no-op recorder no step at all', async () => {
    const { core, token, userId } = await setUp();
    const recorded: string[] = [];
    const handed: unknown[] = [];
    const on = { ...core, trace: { recording: true, step: (step: { title: string }) => recorded.push(step.title) } };
    const off = { ...core, trace: { recording: false, step: (step: unknown) => handed.push(step) } };
    for (const deps of [on, off]) {
      assert.equal(await validateSession(deps, 'garbage'), null);
      assert.equal(await validateSession(deps, flipChar(token, 0)), null);
      assert.equal(await validateSession(deps, flipChar(token, 65)), null);
    }
    await core.store.users.setDisabledAt(userId, core.clock.nowMs(), core.clock.nowMs());
    for (const deps of [on, off]) assert.equal(await validateSession(deps, token), null);
    assert.deepEqual(recorded, ['Session cookie malformed', 'No such session', 'Session secret does not match', 'Account disabled']);
    assert.deepEqual(handed, []);
  });

  describe('returns null for', () => {
    it('malformed tokens', async () => {
      const { core, token } = await setUp();
      for (const bad of ['', 'garbage', token.replace('.', ''), `${token}x`, token.slice(0, -1), `.${token}`, token.replace('.', '!')]) {
        assert.equal(await validateSession(core, bad), null, JSON.stringify(bad));
      }
    });

    it('an unknown session id with a well-formed secret', async () => {
      const { core, token } = await setUp();
      assert.equal(await validateSession(core, flipChar(token, 0)), null);
    });

    it('the right id with a wrong secret, leaving the real session alive (SEC-57)', async () => {
      const { core, token, sessionId } = await setUp();
      assert.equal(await validateSession(core, flipChar(token, 40)), null);
      assert.equal(await validateSession(core, flipChar(token, 65)), null);
      assert.equal((await validateSession(core, token))?.session.id, sessionId);
    });

    it('a token once its session is deleted (logout, revoke)', async () => {
      const { core, token, sessionId } = await setUp();
      await core.store.sessions.delete(sessionId);
      assert.equal(await validateSession(core, token), null);
    });

    it('a disabled user, even while the session row still exists', async () => {
      const { core, token, userId, sessionId } = await setUp();
      await core.store.users.setDisabledAt(userId, core.clock.nowMs(), core.clock.nowMs());
      assert.notEqual(await core.store.sessions.findWithUser(sessionId), null);
      assert.equal(await validateSession(core, token), null);
    });

    it('a deleted user', async () => {
      const { core, token, userId } = await setUp();
      await core.store.users.delete(userId);
      assert.equal(await validateSession(core, token), null);
    });
  });

  describe('idle timeout (7 days, SEC-13)', () => {
    it('keeps a session used just before the idle limit', async () => {
      const { core, token } = await setUp();
      core.clock.advance(7 * dayMs - 1);
      assert.notEqual(await validateSession(core, token), null);
    });

    it('ends a session unused for the idle limit, and deletes the row', async () => {
      const { core, token, sessionId } = await setUp();
      core.clock.advance(7 * dayMs);
      assert.equal(await validateSession(core, token), null);
      assert.equal(await core.store.sessions.findWithUser(sessionId), null);
    });

    it('measures idleness from the last touch, not from login', async () => {
      const { core, token } = await setUp();
      core.clock.advance(6 * dayMs);
      assert.notEqual(await validateSession(core, token), null);
      core.clock.advance(6 * dayMs);
      assert.notEqual(await validateSession(core, token), null, '12 days after login, 6 days idle');
    });
  });

  describe('absolute timeout (30 days, SEC-13)', () => {
    it('ends a session at the absolute limit despite steady activity, and deletes the row', async () => {
      const { core, token, sessionId } = await setUp();
      for (let day = 6; day < 30; day += 6) {
        core.clock.advance(6 * dayMs);
        assert.notEqual(await validateSession(core, token), null, `day ${day}`);
      }
      core.clock.advance(6 * dayMs - 1); // 30 days minus 1 ms, last seen 6 days ago
      assert.notEqual(await validateSession(core, token), null);
      core.clock.advance(1);
      assert.equal(await validateSession(core, token), null);
      assert.equal(await core.store.sessions.findWithUser(sessionId), null);
    });
  });

  describe('last_seen is written at most once per touchIntervalMs', () => {
    it('leaves lastSeenAtMs alone within the interval and moves it after', async () => {
      const { core, token, sessionId } = await setUp();
      const lastSeen = async (): Promise<number | undefined> =>
        (await core.store.sessions.findWithUser(sessionId))?.session.lastSeenAtMs;
      const createdAtMs = core.clock.nowMs();
      assert.equal(await lastSeen(), createdAtMs);

      core.clock.advance(30_000);
      await validateSession(core, token);
      core.clock.advance(29_999);
      const found = await validateSession(core, token);
      assert.equal(found?.session.lastSeenAtMs, createdAtMs);
      assert.equal(await lastSeen(), createdAtMs, 'no write 59.999 s after the last touch');

      core.clock.advance(1);
      const touched = await validateSession(core, token);
      assert.equal(touched?.session.lastSeenAtMs, createdAtMs + 60_000, 'the returned session is fresh');
      assert.equal(await lastSeen(), createdAtMs + 60_000);

      core.clock.advance(59_999);
      await validateSession(core, token);
      assert.equal(await lastSeen(), createdAtMs + 60_000);
      core.clock.advance(1);
      await validateSession(core, token);
      assert.equal(await lastSeen(), createdAtMs + 120_000);
    });

    it('calls touch only when the interval has passed', async () => {
      const { core, token } = await setUp();
      const touches: number[] = [];
      const realTouch = core.store.sessions.touch.bind(core.store.sessions);
      core.store.sessions.touch = async (id, lastSeenAtMs) => {
        touches.push(lastSeenAtMs);
        await realTouch(id, lastSeenAtMs);
      };
      for (let i = 0; i < 10; i++) {
        core.clock.advance(10_000);
        await validateSession(core, token);
      }
      // 10 requests over 100 s: one write at 60 s.
      assert.equal(touches.length, 1);
    });
  });
});

describe('validateSessionFromMemory (the fast path: the answer validateSession gives, or none)', () => {
  /** A store whose memory holds what findWithUser answered when `remember` last ran, as the session cache does. */
  async function withMemory(): Promise<Awaited<ReturnType<typeof setUp>> & { remember(): Promise<void> }> {
    const set = await setUp();
    const memory = new Map<string, SessionWithUser>();
    set.core.store.sessionFromMemory = (id) => memory.get(id);
    const remember = async (): Promise<void> => {
      const found = await set.core.store.sessions.findWithUser(set.sessionId);
      if (found === null) memory.delete(set.sessionId);
      else memory.set(set.sessionId, found);
    };
    await remember();
    return { ...set, remember };
  }

  it('answers a live session in memory with what validateSession answers', async () => {
    const { core, token, sessionId } = await withMemory();
    const fast = validateSessionFromMemory(core, token);
    assert.equal(fast?.session.id, sessionId);
    assert.deepEqual(fast, await validateSession(core, token));
  });

  it('has no answer without memory, for a token not in it, or while the inspector records', async () => {
    const { core, token } = await withMemory();
    assert.equal(validateSessionFromMemory(core, flipChar(token, 0)), undefined, 'another id');
    assert.equal(validateSessionFromMemory({ ...core, trace: { recording: true, step: () => undefined } }, token), undefined, 'recording');
    delete core.store.sessionFromMemory;
    assert.equal(validateSessionFromMemory(core, token), undefined, 'no memory');
  });

  it('leaves every refusal to validateSession: malformed, a wrong secret (SEC-57), a disabled account', async () => {
    const { core, token, userId, remember } = await withMemory();
    for (const bad of ['', 'garbage', token.slice(0, -1), flipChar(token, 40), flipChar(token, 65)]) assert.equal(validateSessionFromMemory(core, bad), undefined, bad);
    await core.store.users.setDisabledAt(userId, core.clock.nowMs(), core.clock.nowMs());
    await remember();
    assert.equal(validateSessionFromMemory(core, token), undefined);
    assert.equal(await validateSession(core, token), null);
  });

  it('leaves every write to validateSession: a last-seen write due, an idle or absolute limit passed (SEC-13)', async () => {
    const { core, token } = await withMemory();
    core.clock.advance(core.sessionPolicy.touchIntervalMs - 1);
    assert.notEqual(validateSessionFromMemory(core, token), undefined, 'no write due yet');
    core.clock.advance(1);
    assert.equal(validateSessionFromMemory(core, token), undefined, 'last-seen due');
    core.clock.advance(7 * dayMs);
    assert.equal(validateSessionFromMemory(core, token), undefined, 'idle limit');
    const fresh = await withMemory();
    fresh.core.clock.advance(30 * dayMs);
    assert.equal(validateSessionFromMemory(fresh.core, fresh.token), undefined, 'absolute limit');
  });
});
