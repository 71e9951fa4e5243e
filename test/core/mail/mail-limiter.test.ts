// docs/security.md SEC-92: Gatehouse cannot be used to flood an inbox. mayMail() limits the mails
// one address gets (verification, reset, codes), whether or not it has an account.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { mayMail, type MailStream } from '../../../src/core/mail/mail-limiter.ts';
import type { ThrottleStore } from '../../../src/core/ports.ts';
import { createTestCore, seedUser, type TestCore } from '../../support/core-deps.ts';

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

describe('mayMail', () => {
  let core: TestCore;
  let keys: Set<string>;
  let limiter: Parameters<typeof mayMail>[0];
  beforeEach(async () => {
    core = await createTestCore();
    keys = new Set();
    const inner = core.store.throttle;
    const throttle: ThrottleStore = {
      ...inner,
      reserve: (key, nowMs, rule) => {
        keys.add(key);
        return inner.reserve(key, nowMs, rule);
      },
    };
    limiter = { store: { throttle }, clock: core.clock, accountSecurity: core.accountSecurity };
  });

  const may = (email: string, stream: MailStream): Promise<boolean> => mayMail(limiter, email, stream);

  it('one mail a minute per kind; another kind is not held up; the next minute it goes again (SEC-92)', async () => {
    assert.equal(await may('ada@example.com', 'verification'), true);
    assert.equal(await may('ada@example.com', 'verification'), false, 'a second verification mail within the minute');
    assert.equal(await may('ada@example.com', 'reset'), true, 'a reset mail never waits for a verification mail');
    assert.equal(await may('ada@example.com', 'code'), true);
    core.clock.advance(minuteMs - 1);
    assert.equal(await may('ada@example.com', 'verification'), false);
    core.clock.advance(1);
    assert.equal(await may('ada@example.com', 'verification'), true);
  });

  it('10 a day per address in all kinds, then none until the day has passed (SEC-92)', async () => {
    const streams: MailStream[] = ['verification', 'reset', 'code'];
    for (let i = 0; i < 10; i++) {
      assert.equal(await may('ada@example.com', streams[i % 3]!), true, `mail ${i + 1}`);
      core.clock.advance(minuteMs);
    }
    for (const stream of streams) assert.equal(await may('ada@example.com', stream), false, `the 11th (${stream})`);
    assert.equal(await may('bob@example.com', 'reset'), true, 'another address has its own count');
    core.clock.advance(dayMs);
    assert.equal(await may('ada@example.com', 'reset'), true, 'a day later');
  });

  it('a refused mail within the minute does not use up the daily count (SEC-92)', async () => {
    assert.equal(await may('ada@example.com', 'code'), true);
    for (let i = 0; i < 20; i++) assert.equal(await may('ada@example.com', 'code'), false);
    for (let i = 1; i < 10; i++) {
      core.clock.advance(minuteMs);
      assert.equal(await may('ada@example.com', 'code'), true, `mail ${i + 1} of the day`);
    }
  });

  it('an address with an account and one without are limited alike, counted under a keyed hash (SEC-92)', async () => {
    await seedUser(core, 'known@example.com');
    const known: boolean[] = [];
    const unknown: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      known.push(await may('known@example.com', 'reset'));
      unknown.push(await may('unknown@example.com', 'reset'));
      core.clock.advance(i % 2 === 0 ? minuteMs / 2 : minuteMs);
    }
    assert.deepEqual(known, unknown);
    assert.ok(known.includes(false) && known.includes(true));
    assert.ok(keys.size > 0);
    for (const key of keys) assert.ok(!key.includes('example') && !key.includes('known'), key);
  });
});
