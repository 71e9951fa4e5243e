import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endSessions } from '../../src/core/sessions/end-sessions.ts';
import type { SessionWithUser, Store } from '../../src/core/ports.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../src/storage/memory/memory-store.ts';
import { openSqliteStore } from '../../src/storage/sql/sqlite.ts';
import { withSessionCache } from '../../src/storage/session-cache.ts';
import { createManualClock, createTestCore } from '../support/core-deps.ts';
import { aSession, aUser, anAuditEvent } from './contract/fixtures.ts';
import { clientRecord } from '../support/client-record.ts';

/** The memory store, counting the session lookups that reach it. */
function countingStore(): { store: Store; lookups: () => number } {
  const store = createMemoryStore();
  let lookups = 0;
  const findWithUser = store.sessions.findWithUser.bind(store.sessions);
  store.sessions.findWithUser = (id) => {
    lookups++;
    return findWithUser(id);
  };
  return { store, lookups: () => lookups };
}

async function seeded(base: Store, clockMs: number): Promise<void> {
  await base.users.create(aUser('ada'));
  await base.sessions.create(aSession('s1', 'user-ada', { createdAtMs: clockMs, lastSeenAtMs: clockMs, expiresAtMs: clockMs + 86_400_000 }));
  await base.sessions.create(aSession('s2', 'user-ada', { createdAtMs: clockMs, lastSeenAtMs: clockMs, expiresAtMs: clockMs + 86_400_000 }));
}

describe('withSessionCache', () => {
  it('serves a session check from memory for ttlMs, then asks the store again', async () => {
    const clock = createManualClock();
    const { store, lookups } = countingStore();
    await seeded(store, clock.nowMs());
    const cached = withSessionCache(store, { ttlMs: 1000, clock });
    const first = await cached.sessions.findWithUser('s1');
    assert.equal(first?.user.id, 'user-ada');
    assert.deepEqual(await cached.sessions.findWithUser('s1'), first);
    assert.equal(lookups(), 1, 'the second check came from memory');
    clock.advance(1000);
    await cached.sessions.findWithUser('s1');
    assert.equal(lookups(), 2, 'expired after ttlMs');
    assert.equal(await cached.sessions.findWithUser('nope'), null);
    assert.equal(await cached.sessions.findWithUser('nope'), null);
    assert.equal(lookups(), 4, 'an unknown session is never cached');
  });

  it('this instance refuses an ended session at once: logout, endSessions in a transaction, disable, delete (SEC-59)', async () => {
    const clock = createManualClock();
    const { store } = countingStore();
    await seeded(store, clock.nowMs());
    const cached = withSessionCache(store, { ttlMs: 1000, clock });
    await cached.sessions.findWithUser('s1');
    await cached.sessions.delete('s1');
    assert.equal(await cached.sessions.findWithUser('s1'), null, 'deleted');

    const core = await createTestCore({ store: cached, clock });
    await cached.sessions.findWithUser('s2');
    await cached.transaction((tx) => endSessions(core, tx, ['s2'], 'session_revoked'));
    assert.equal(await cached.sessions.findWithUser('s2'), null, 'ended inside a transaction');

    await cached.sessions.create(aSession('s3', 'user-ada', { createdAtMs: clock.nowMs(), lastSeenAtMs: clock.nowMs(), expiresAtMs: clock.nowMs() + 86_400_000 }));
    assert.equal((await cached.sessions.findWithUser('s3'))?.user.disabledAtMs, null);
    await cached.users.setDisabledAt('user-ada', clock.nowMs(), clock.nowMs());
    assert.notEqual((await cached.sessions.findWithUser('s3'))?.user.disabledAtMs, null, 'the disable is seen at once');
    await cached.users.delete('user-ada');
    assert.equal(await cached.sessions.findWithUser('s3'), null, 'deleted with its user');
  });

  it('a lookup that started before a revocation is not cached after it (SEC-59)', async () => {
    const clock = createManualClock();
    const { store } = countingStore();
    await seeded(store, clock.nowMs());
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const find = store.sessions.findWithUser;
    store.sessions.findWithUser = async (id) => {
      const found = await find(id);
      await gate;
      return found;
    };
    const cached = withSessionCache(store, { ttlMs: 1000, clock });
    const slow = cached.sessions.findWithUser('s1');
    await cached.sessions.delete('s1');
    release();
    assert.ok((await slow) !== null, 'it read the row before the delete');
    store.sessions.findWithUser = find;
    assert.equal(await cached.sessions.findWithUser('s1'), null, 'and did not leave it cached');
  });

  it('another instance over the same database serves a revoked session for at most ttlMs (SEC-59)', async () => {
    const clock = createManualClock();
    const { store } = countingStore();
    await seeded(store, clock.nowMs());
    const instanceA = withSessionCache(store, { ttlMs: 500, clock });
    const instanceB = withSessionCache(store, { ttlMs: 500, clock });
    assert.ok(await instanceB.sessions.findWithUser('s1'));
    await instanceA.sessions.delete('s1');
    assert.equal(await instanceA.sessions.findWithUser('s1'), null);
    clock.advance(499);
    assert.ok(await instanceB.sessions.findWithUser('s1'), 'within the bound, B still has it');
    clock.advance(1);
    assert.equal(await instanceB.sessions.findWithUser('s1'), null, 'refused once the bound has passed');
  });

  it('touch updates the cached row, so the next check does not write again; a transaction reads its own writes', async () => {
    const clock = createManualClock();
    const { store } = countingStore();
    await seeded(store, clock.nowMs());
    const cached = withSessionCache(store, { ttlMs: 1000, clock });
    await cached.sessions.findWithUser('s1');
    await cached.sessions.touch('s1', clock.nowMs() + 5);
    assert.equal((await cached.sessions.findWithUser('s1'))?.session.lastSeenAtMs, clock.nowMs() + 5);
    const inside = await cached.transaction(async (tx) => {
      await tx.sessions.create(aSession('s9', 'user-ada', { createdAtMs: clock.nowMs(), lastSeenAtMs: clock.nowMs(), expiresAtMs: clock.nowMs() + 1000 }));
      return tx.sessions.findWithUser('s9');
    });
    assert.equal(inside?.session.id, 's9');
  });

  it('sessionFromMemory answers exactly the hits of findWithUser, with no promise, and nothing else', async () => {
    const clock = createManualClock();
    const { store, lookups } = countingStore();
    await seeded(store, clock.nowMs());
    let counter = 1;
    const cached = withSessionCache(store, { ttlMs: 1000, clock, externalWrites: () => counter });
    assert.equal(cached.sessionFromMemory?.('s1'), undefined, 'not looked up yet');
    const found = await cached.sessions.findWithUser('s1');
    assert.deepEqual(cached.sessionFromMemory?.('s1'), found);
    const held = cached.sessionFromMemory?.('s1') as SessionWithUser;
    assert.equal(cached.sessionFromMemory?.('s1'), held, 'the same object while the entry lives');
    assert.throws(() => {
      held.user.disabledAtMs = 1;
    }, TypeError);
    assert.throws(() => (held.session.amr as string[]).push('mfa'), TypeError);
    assert.equal(cached.sessionFromMemory?.('s1')?.user.disabledAtMs, null, 'frozen');
    await cached.sessions.touch('s1', clock.nowMs() + 1);
    assert.notEqual(cached.sessionFromMemory?.('s1'), held, 'a new object once it changes');
    assert.equal(cached.sessionFromMemory?.('s1')?.session.lastSeenAtMs, clock.nowMs() + 1);
    assert.ok(Object.isFrozen(cached.sessionFromMemory?.('s1')?.session));
    assert.equal(lookups(), 1);
    clock.advance(1);
    counter++;
    assert.equal(cached.sessionFromMemory?.('s1'), undefined, 'another process committed');
    await cached.sessions.findWithUser('s1');
    clock.advance(1000);
    assert.equal(cached.sessionFromMemory?.('s1'), undefined, 'past ttlMs');
    await cached.sessions.findWithUser('s1');
    await cached.sessions.delete('s1');
    assert.equal(cached.sessionFromMemory?.('s1'), undefined, 'deleted (SEC-59)');
    assert.equal(cached.sessionFromMemory?.('nope'), undefined);
  });

  it('a cached value cannot be changed through what a caller was given', async () => {
    const clock = createManualClock();
    const { store } = countingStore();
    await seeded(store, clock.nowMs());
    const cached = withSessionCache(store, { ttlMs: 1000, clock });
    const given = (await cached.sessions.findWithUser('s1')) as SessionWithUser;
    given.user.disabledAtMs = 1;
    assert.equal((await cached.sessions.findWithUser('s1'))?.user.disabledAtMs, null);
  });

  it('refuses a lifetime of 0 or over one second (SEC-59)', () => {
    const clock = createManualClock();
    for (const ttlMs of [0, -1, 1001]) assert.throws(() => withSessionCache(createMemoryStore(), { ttlMs, clock }), RangeError);
  });

  it('with an external-writes counter, a commit from another process is seen within a millisecond, not ttlMs (SEC-59)', async () => {
    const clock = createManualClock();
    const { store, lookups } = countingStore();
    await seeded(store, clock.nowMs());
    let counter = 7;
    const cached = withSessionCache(store, { ttlMs: 1000, clock, externalWrites: () => counter });
    await cached.sessions.findWithUser('s1');
    await cached.sessions.findWithUser('s1');
    assert.equal(lookups(), 1, 'served from memory while nothing else wrote');
    await store.sessions.delete('s1'); // behind the cache's back, as another process would
    counter++;
    // The counter is read at most once per millisecond (reading it costs about a lookup).
    clock.advance(1);
    assert.equal(await cached.sessions.findWithUser('s1'), null, 'refused a millisecond later, not after ttlMs');
  });

  it('on SQLite a session revoked through another connection to the file is refused a millisecond later (SEC-59)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-session-cache-'));
    const path = join(dir, 'gatehouse.db');
    const clock = createManualClock();
    const server = await openSqliteStore(path, { migrate: 'on-open' });
    // Another connection to the same file: what a CLI command or a second process writes through.
    const other = await openSqliteStore(path, { migrate: 'never' });
    try {
      const cached = withSessionCache(server, { ttlMs: 1000, clock, externalWrites: server.externalWrites });
      await seeded(server, clock.nowMs());
      assert.equal((await cached.sessions.findWithUser('s1'))?.user.id, 'user-ada');
      assert.equal((await cached.sessions.findWithUser('s1'))?.user.id, 'user-ada');
      await other.sessions.delete('s1');
      clock.advance(1);
      assert.equal(await cached.sessions.findWithUser('s1'), null, 'the other connection\'s delete is seen at once');
      await cached.sessions.findWithUser('s2');
      await other.users.setDisabledAt('user-ada', clock.nowMs(), clock.nowMs());
      clock.advance(1);
      assert.notEqual((await cached.sessions.findWithUser('s2'))?.user.disabledAtMs, null, 'and so is a disable');
      // This process's own writes do not move the counter: the cache clears itself for those.
      const before = server.externalWrites();
      await cached.sessions.delete('s2');
      assert.equal(server.externalWrites(), before);
      assert.equal(await cached.sessions.findWithUser('s2'), null);
    } finally {
      await other.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a transaction that writes no session keeps the cache; one that ends a session clears it after its commit (SEC-59)', async () => {
    const clock = createManualClock();
    const { store, lookups } = countingStore();
    await seeded(store, clock.nowMs());
    const cached = withSessionCache(store, { ttlMs: 1000, clock });
    await cached.sessions.findWithUser('s1');
    // A code exchange or a refresh: reads a session, writes other tables.
    await cached.transaction(async (tx) => {
      await tx.sessions.findWithUser('s1');
      await tx.sessions.touch('s1', clock.nowMs() + 1);
      await tx.audit.append(anAuditEvent('e1'));
    });
    await cached.sessions.findWithUser('s1');
    assert.equal(lookups(), 1, 'the check after it still came from memory');
    await cached.transaction((tx) => tx.sessions.delete('s1'));
    assert.equal(await cached.sessions.findWithUser('s1'), null, 'refused after the commit');
  });

  it('client lookups come from memory until a client is written: created, deleted, new redirect URIs, a rotated secret, inside a transaction or not', async () => {
    const clock = createManualClock();
    const store = createMemoryStore();
    let lookups = 0;
    const findById = store.clients.findById.bind(store.clients);
    store.clients.findById = (id) => {
      lookups++;
      return findById(id);
    };
    const cached = withSessionCache(store, { ttlMs: 1000, clock });
    const rp = clientRecord({ id: 'rp', name: 'RP', type: 'confidential', secretHash: 'aGFzaA', grantTypes: ['authorization_code'], audience: 'rp', refreshTokenDelivery: 'body', createdAtMs: clock.nowMs() }, { redirectUris: ['https://rp.example.com/cb'] });
    assert.equal(await cached.clients.findById('rp'), null);
    assert.equal(await cached.clients.create(rp), 'created');
    assert.deepEqual(await cached.clients.findById('rp'), rp);
    assert.deepEqual(await cached.clients.findById('rp'), rp);
    assert.equal(lookups, 2, 'the unknown id was not cached, the second lookup of rp came from memory');
    await cached.clientMaintenance.setRedirectUris('rp', ['https://rp.example.com/new'], []);
    assert.deepEqual((await cached.clients.findById('rp'))?.redirectUris, ['https://rp.example.com/new']);
    await cached.transaction((tx) => tx.clientMaintenance.setSecretHash('rp', 'bmV3'));
    assert.equal((await cached.clients.findById('rp'))?.secretHash, 'bmV3', 'a rotated secret is seen after the commit');
    const lookupsBefore = lookups;
    await cached.transaction(async (tx) => {
      await tx.audit.append(anAuditEvent('e1'));
    });
    await cached.clients.findById('rp');
    assert.equal(lookups, lookupsBefore, 'a transaction that wrote no client kept it');
    await cached.transaction((tx) => tx.clients.delete('rp'));
    assert.equal(await cached.clients.findById('rp'), null, 'a deleted client is refused at once');
    clock.advance(1000);
    assert.equal(await cached.clients.findById('rp'), null);
  });

  it('on SQLite a client deleted through another connection to the file is refused a millisecond later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-session-cache-'));
    const path = join(dir, 'gatehouse.db');
    const clock = createManualClock();
    const server = await openSqliteStore(path, { migrate: 'on-open' });
    const other = await openSqliteStore(path, { migrate: 'never' });
    try {
      const cached = withSessionCache(server, { ttlMs: 1000, clock, externalWrites: server.externalWrites });
      await server.clients.create(clientRecord({ id: 'rp', name: 'RP', type: 'public', secretHash: null, grantTypes: ['authorization_code'], audience: 'rp', refreshTokenDelivery: 'body', createdAtMs: clock.nowMs() }, { redirectUris: ['https://rp.example.com/cb'] }));
      assert.equal((await cached.clients.findById('rp'))?.id, 'rp');
      assert.equal((await cached.clients.findById('rp'))?.id, 'rp');
      await other.clients.delete('rp');
      clock.advance(1);
      assert.equal(await cached.clients.findById('rp'), null, "the other connection's delete is seen at once");
    } finally {
      await other.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
