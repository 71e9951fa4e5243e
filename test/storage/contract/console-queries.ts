import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { anAuditEvent, aSession, aUser, hourMs, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function consoleQueriesContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('console queries', () => {
    test('userDirectory.search: by email prefix, in email order, paged by the last email seen; count counts everyone', async (store) => {
      for (const name of ['ann2', 'bob', 'ann1', 'anna', 'annie', 'carl']) await store.users.create(aUser(name));
      const emails = async (options: { emailPrefix: string; afterEmail?: string; limit: number }) => (await store.userDirectory.search(options)).map((u) => u.email);
      assert.deepEqual(await emails({ emailPrefix: 'ann', limit: 10 }), ['ann1@example.com', 'ann2@example.com', 'anna@example.com', 'annie@example.com']);
      assert.deepEqual(await emails({ emailPrefix: 'ann', limit: 2 }), ['ann1@example.com', 'ann2@example.com']);
      assert.deepEqual(await emails({ emailPrefix: 'ann', afterEmail: 'ann2@example.com', limit: 2 }), ['anna@example.com', 'annie@example.com']);
      assert.deepEqual(await emails({ emailPrefix: 'ann', afterEmail: 'annie@example.com', limit: 2 }), []);
      assert.deepEqual(await emails({ emailPrefix: '', limit: 2, afterEmail: 'anna@example.com' }), ['annie@example.com', 'bob@example.com']);
      assert.deepEqual(await store.userDirectory.search({ emailPrefix: 'bob', limit: 5 }), [aUser('bob')], 'every field intact');
      assert.equal(await store.userDirectory.count(), 6);
    });

    test('userDirectory.search takes the prefix literally: % and _ are no wildcards', async (store) => {
      await store.users.create(aUser('a_b'));
      await store.users.create(aUser('axb'));
      await store.users.create(aUser('a%c'));
      assert.deepEqual((await store.userDirectory.search({ emailPrefix: 'a_', limit: 10 })).map((u) => u.email), ['a_b@example.com']);
      assert.deepEqual((await store.userDirectory.search({ emailPrefix: '%', limit: 10 })).map((u) => u.email), []);
      assert.deepEqual((await store.userDirectory.search({ emailPrefix: 'a%', limit: 10 })).map((u) => u.email), ['a%c@example.com']);
    });

    test('sessionCensus.countActive leaves out expired and idle sessions', async (store) => {
      await store.users.create(aUser('alice'));
      await store.sessions.create(aSession('s-live', 'user-alice', { lastSeenAtMs: t0Ms }));
      await store.sessions.create(aSession('s-idle', 'user-alice', { lastSeenAtMs: t0Ms - 2 * hourMs }));
      await store.sessions.create(aSession('s-expired', 'user-alice', { expiresAtMs: t0Ms }));
      assert.equal(await store.sessionCensus.countActive(t0Ms + minuteMs, hourMs), 1);
      assert.equal(await store.sessionCensus.countActive(t0Ms + minuteMs, 3 * hourMs), 2);
    });

    const events = [
      anAuditEvent('e1', { atMs: t0Ms, type: 'login.succeeded', userId: 'user-alice', ip: '203.0.113.1' }),
      anAuditEvent('e2', { atMs: t0Ms + minuteMs, type: 'login.failed', email: 'x@example.com', ip: '203.0.113.2' }),
      anAuditEvent('e3', { atMs: t0Ms + minuteMs, type: 'login.failed', userId: 'user-alice', ip: '203.0.113.1' }),
      anAuditEvent('e4', { atMs: t0Ms + 2 * minuteMs, type: 'logout', userId: 'user-alice', ip: '203.0.113.1', actorId: 'user-root' }),
      anAuditEvent('e5', { atMs: t0Ms + 3 * minuteMs, type: 'login.succeeded', userId: 'user-bob', ip: '203.0.113.2' }),
    ];

    test('auditSearch.page: newest first (ties by id), each filter, and a cursor that walks every entry exactly once', async (store) => {
      for (const e of [...events].reverse()) await store.audit.append(e);
      const ids = async (filter: object, options: { after?: { atMs: number; id: string }; limit: number } = { limit: 10 }) => (await store.auditSearch.page(filter, options)).map((e) => e.id);
      assert.deepEqual(await store.auditSearch.page({}, { limit: 10 }), [events[4], events[3], events[1], events[2], events[0]], 'every field intact');
      assert.deepEqual(await ids({ userId: 'user-alice' }), ['e4', 'e3', 'e1']);
      assert.deepEqual(await ids({ type: 'login.failed' }), ['e2', 'e3']);
      assert.deepEqual(await ids({ ip: '203.0.113.2' }), ['e5', 'e2']);
      assert.deepEqual(await ids({ fromMs: t0Ms + minuteMs, toMs: t0Ms + 3 * minuteMs }), ['e4', 'e2', 'e3']);
      assert.deepEqual(await ids({ userId: 'user-alice', type: 'login.failed', ip: '203.0.113.1' }), ['e3']);
      const walked: string[] = [];
      let after: { atMs: number; id: string } | undefined;
      for (;;) {
        const page = await store.auditSearch.page({}, { limit: 2, ...(after === undefined ? {} : { after }) });
        if (page.length === 0) break;
        walked.push(...page.map((e) => e.id));
        const last = page.at(-1)!;
        after = { atMs: last.atMs, id: last.id };
      }
      assert.deepEqual(walked, ['e5', 'e4', 'e2', 'e3', 'e1']);
    });

    test('auditSearch.countByType counts each type from a time on', async (store) => {
      for (const e of events) await store.audit.append(e);
      assert.deepEqual(await store.auditSearch.countByType(['login.succeeded', 'login.failed', 'user.signed_up'], t0Ms + minuteMs), { 'login.succeeded': 1, 'login.failed': 2, 'user.signed_up': 0 });
      assert.deepEqual(await store.auditSearch.countByType([], t0Ms), {});
    });

    test('throttleCensus.counters: by key prefix, failures and time of the last one', async (store) => {
      const rule = { freeFailures: 1, baseDelayMs: 1000, maxDelayMs: 60_000, resetAfterMs: hourMs };
      for (let i = 0; i < 3; i++) await store.throttle.reserve('account:aaa', t0Ms + i, rule);
      await store.throttle.reserve('account:bbb', t0Ms - hourMs, rule);
      for (let i = 0; i < 3; i++) await store.throttle.reserve('ip:ccc', t0Ms + i, rule);
      await store.throttle.recordFailure('account:aaa', t0Ms + 10, hourMs);
      const found = await store.throttleCensus.counters({ keyPrefix: 'account:', minFailures: 1, sinceMs: t0Ms, limit: 10 });
      assert.equal(found.length, 1);
      assert.ok(found[0]!.failures >= 2 && found[0]!.lastFailureAtMs >= t0Ms, JSON.stringify(found));
      assert.equal((await store.throttleCensus.counters({ keyPrefix: 'account:', minFailures: 1, sinceMs: t0Ms - 2 * hourMs, limit: 10 })).length, 2);
      assert.equal((await store.throttleCensus.counters({ keyPrefix: 'account:', minFailures: 1, sinceMs: t0Ms - 2 * hourMs, limit: 1 })).length, 1);
      assert.equal((await store.throttleCensus.counters({ keyPrefix: 'account:', minFailures: 99, sinceMs: 0, limit: 10 })).length, 0);
    });
  });
}
