import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { before, describe, it, type TestContext } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { RevocationFeedError, type RevocationFeedEntry, type RevocationFeedOptions, type Verifier } from '../../../packages/sdk/src/index.ts';
import { FakeRevocationFeed, type FakeRevocationFeedOptions } from '../support/fake-revocation-feed.ts';
import { Recorder } from '../support/recorder.ts';
import { assertRefused, countingJwks, fixedNowMs, makeSigningKeys, makeVerifier, mintAccessToken, type SigningKey, type TestAlgorithm } from '../support/tokens.ts';

/**
 * The verifier's revocation feed, over real sockets and Node's fetch, against FakeRevocationFeed:
 * a local STAND-IN for Gatehouse's `GET /v1/revocations` endpoint, which is being built on the
 * server side at the same time; it implements the contract written at the top of
 * support/fake-revocation-feed.ts. When the real endpoint lands, run the SDK against it too.
 *
 * No test sleeps for a fixed time: each waits for the event it is about (an applied revocation,
 * a reported error, a request reaching the server). The two staleness tests use a real, short
 * maxStalenessMs, because a timeout is what they test.
 */

let keys: Record<TestAlgorithm, SigningKey>;
before(async () => {
  keys = await makeSigningKeys();
});

const clientId = 'cli_notes_api';
const clientSecret = 'feed-secret-7f3a';
const later = fixedNowMs + 600_000;
const testTimeout = { timeout: 10_000 };

interface Setup {
  feed: FakeRevocationFeed;
  verifier: Verifier;
  revocations: Recorder<RevocationFeedEntry>;
  errors: Recorder<RevocationFeedError>;
}

/** The verifiers following each fake feed: closed before it, so that none sees it go and reconnects. */
const followers = new WeakMap<FakeRevocationFeed, Verifier[]>();

async function startFeed(t: TestContext, options: Partial<FakeRevocationFeedOptions> = {}): Promise<FakeRevocationFeed> {
  const feed = await FakeRevocationFeed.start({ clientId, clientSecret, ...options });
  followers.set(feed, []);
  t.after(async () => {
    for (const verifier of followers.get(feed) ?? []) verifier.close();
    await feed.close();
  });
  return feed;
}

/** A verifier following `feed` (which may already hold revocations), closed after the test. */
function follow(feed: FakeRevocationFeed, feedOptions: Partial<RevocationFeedOptions> = {}, verifierOptions = {}): Setup {
  const revocations = new Recorder<RevocationFeedEntry>();
  const errors = new Recorder<RevocationFeedError>();
  const verifier = makeVerifier([keys.ES256], {
    ...verifierOptions,
    revocationFeed: { clientId, clientSecret, url: feed.url, onRevocation: revocations.push, onError: errors.push, ...feedOptions },
  });
  followers.get(feed)?.push(verifier);
  return { feed, verifier, revocations, errors };
}

describe('revocationFeed: the first catch-up', () => {
  it('a verifier that has just started refuses what was revoked before it started: verify() waits for the catch-up', testTimeout, async (t) => {
    const feed = await startFeed(t);
    feed.revoke({ sid: 'ses_revoked', expiresAtMs: later });
    feed.revoke({ jti: 'at_revoked', expiresAtMs: later });
    const revokedSession = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_revoked' } });
    const revokedToken = await mintAccessToken(keys.ES256, { claims: { jti: 'at_revoked' } });
    const fine = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_fine' } });

    const { verifier } = follow(feed);
    // Called in the same turn as createVerifier: no connection can have been made yet.
    const [session, jti, other] = await Promise.allSettled([verifier.verify(revokedSession), verifier.verify(revokedToken), verifier.verify(fine)]);
    await assertRefused(Promise.reject(rejection(session)), 'token_revoked', 'sid revoked before the verifier started');
    await assertRefused(Promise.reject(rejection(jti)), 'token_revoked', 'jti revoked before the verifier started');
    assert.equal(other.status === 'fulfilled' && other.value.sid, 'ses_fine');

    assert.deepEqual(feed.requests, [{ path: '/v1/revocations', since: '0', lastEventId: undefined, accept: 'text/event-stream', authenticated: true }]);
  });

  it('verify() stays pending while the catch-up has not come, and ready() resolves with it', testTimeout, async (t) => {
    const feed = await startFeed(t);
    feed.revoke({ sid: 'ses_1', expiresAtMs: later });
    feed.stall();
    const token = await mintAccessToken(keys.ES256);
    const { verifier } = follow(feed);
    let settled = false;
    const refused = assertRefused(
      verifier.verify(token).finally(() => {
        settled = true;
      }),
      'token_revoked',
    );
    const ready = verifier.ready();
    await feed.waitFor(() => feed.requests.length === 1);
    await nextTurn();
    assert.equal(settled, false, 'verify() waits while the server holds the request');
    feed.resume();
    await ready;
    await refused;
  });

  it('without a revocationFeed, ready() resolves at once', async () => {
    await makeVerifier([keys.ES256]).ready();
  });

  it('the default url is `${issuer}/v1/revocations`', testTimeout, async (t) => {
    const feed = await startFeed(t);
    follow(feed, { url: undefined }, { issuer: `${feed.origin}/` });
    await feed.waitFor(() => feed.requests.length === 1);
    assert.equal(feed.requests[0]!.path, '/v1/revocations');
    assert.equal(feed.requests[0]!.authenticated, true);
  });

  it('client credentials are form-urlencoded before Basic (RFC 6749 2.3.1): ":", space, "+", "%", non-ASCII', testTimeout, async (t) => {
    const awkward = { clientId: 'cli:notes api', clientSecret: 'sé cret+/%:="' };
    const feed = await startFeed(t, awkward);
    const { verifier } = follow(feed, awkward);
    await verifier.ready();
    assert.equal(feed.requests[0]!.authenticated, true);
  });
});

describe('revocationFeed: live revocations', () => {
  it('a live revocation makes a cached, already accepted token fail with token_revoked', testTimeout, async (t) => {
    const feed = await startFeed(t);
    const { jwks, calls } = countingJwks([keys.ES256]);
    const { verifier, revocations } = follow(feed, {}, { jwks });
    await verifier.ready();
    const token = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_live', jti: 'at_live' } });
    const other = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_other', jti: 'at_other' } });
    await verifier.verify(token);
    await verifier.verify(token);
    await verifier.verify(other);
    assert.equal(calls(), 2, 'the token is served from the cache');

    const { seq, deliveredLive } = feed.revoke({ sid: 'ses_live', expiresAtMs: later });
    assert.equal(deliveredLive, 1);
    assert.deepEqual(await revocations.waitFor((entry) => entry.seq === seq), { seq, sid: 'ses_live', expiresAtMs: later });
    await assertRefused(verifier.verify(token), 'token_revoked');
    await verifier.verify(other);

    const byJti = feed.revoke({ jti: 'at_other', expiresAtMs: later });
    await revocations.waitFor((entry) => entry.seq === byJti.seq);
    await assertRefused(verifier.verify(other), 'token_revoked');
  });

  it('a revocation that has already expired is applied as a no-op, and the feed goes on', testTimeout, async (t) => {
    const feed = await startFeed(t);
    const { verifier, revocations } = follow(feed);
    await verifier.ready();
    const token = await mintAccessToken(keys.ES256);
    feed.revoke({ sid: 'ses_1', expiresAtMs: fixedNowMs - 1 });
    const next = feed.revoke({ jti: 'at_unrelated', expiresAtMs: later });
    await revocations.waitFor((entry) => entry.seq === next.seq);
    await verifier.verify(token);
  });

  it('an onRevocation that throws is reported to onError; the revocation stands and the feed goes on', testTimeout, async (t) => {
    const feed = await startFeed(t);
    const seen = new Recorder<RevocationFeedEntry>();
    const errors = new Recorder<RevocationFeedError>();
    const { verifier } = follow(feed, {
      onRevocation: (entry) => {
        seen.push(entry);
        if (entry.seq === 1) throw new Error('a bug in the callback');
      },
      onError: errors.push,
    });
    await verifier.ready();
    feed.revoke({ sid: 'ses_1', expiresAtMs: later });
    const second = feed.revoke({ jti: 'at_2', expiresAtMs: later });
    await seen.waitFor((entry) => entry.seq === second.seq);
    await assertRefused(verifier.verify(await mintAccessToken(keys.ES256)), 'token_revoked');
    assert.deepEqual(errors.items.map((error) => error.reason), ['callback_failed']);
    assert.equal((errors.items[0]!.cause as Error).message, 'a bug in the callback');
  });
});

describe('revocationFeed: reconnecting', () => {
  for (const how of ['destroy', 'end'] as const) {
    it(`after a break (${how === 'destroy' ? 'connection reset' : 'stream ended'}), reconnects with Last-Event-ID and refuses what was revoked meanwhile`, testTimeout, async (t) => {
      const feed = await startFeed(t);
      feed.revoke({ sid: 'ses_before', expiresAtMs: later });
      const { verifier, revocations, errors } = follow(feed);
      await verifier.ready();
      const token = await mintAccessToken(keys.ES256, { claims: { sid: 'ses_1' } });
      await verifier.verify(token);

      feed.dropStreams(how);
      const { seq, deliveredLive } = feed.revoke({ sid: 'ses_1', expiresAtMs: later });
      assert.equal(deliveredLive, 0, 'revoked while the verifier was disconnected');
      await revocations.waitFor((entry) => entry.seq === seq);
      await assertRefused(verifier.verify(token), 'token_revoked');

      assert.equal(feed.requests.length, 2);
      assert.deepEqual(feed.requests[1], { path: '/v1/revocations', since: '1', lastEventId: '1', accept: 'text/event-stream', authenticated: true });
      assert.deepEqual(revocations.items.map((entry) => entry.seq), [1, 2], 'nothing missed, nothing sent twice');
      assert.equal(errors.items[0]!.reason, how === 'destroy' ? 'network_error' : 'stream_ended');
    });
  }

  it('an unreadable revocation drops the connection and is asked for again, never skipped (SEC-83)', testTimeout, async (t) => {
    const feed = await startFeed(t);
    const { verifier, errors } = follow(feed);
    await verifier.ready();
    feed.revoke({ expiresAtMs: later }); // neither sid nor jti
    const first = await errors.waitFor((error) => error.reason === 'protocol_error');
    assert.match(first.message, /neither sid nor jti/);
    await feed.waitFor(() => feed.requests.length === 2);
    assert.equal(feed.requests[1]!.since, '0', 'the verifier resumes before the event it could not read');
    assert.equal(feed.requests[1]!.lastEventId, undefined);
    await errors.waitFor(() => errors.items.filter((error) => error.reason === 'protocol_error').length === 2);
  });
});

describe('revocationFeed: failing closed', () => {
  it('heartbeats keep it current; when the server stops answering, verify() refuses with 503 after maxStalenessMs; it recovers (SEC-83)', testTimeout, async (t) => {
    const feed = await startFeed(t, { pingIntervalMs: 40 });
    const { verifier, revocations, errors } = follow(feed, { maxStalenessMs: 300 });
    await verifier.ready();
    const token = await mintAccessToken(keys.ES256);
    await verifier.verify(token);
    const pings = feed.pingsSent;
    await feed.waitFor(() => feed.pingsSent >= pings + 10); // ~400 ms: longer than maxStalenessMs
    await verifier.verify(token);

    feed.stall();
    const stale = await errors.waitFor((error) => error.reason === 'stale');
    assert.match(stale.message, /no sign that the feed is current for 300 ms/);
    const refusal = await assertRefused(verifier.verify(token), 'verifier_unavailable');
    assert.equal(refusal.status, 503);
    assert.ok(refusal.cause instanceof RevocationFeedError);

    await feed.waitFor(() => feed.requests.length === 2); // the verifier's reconnection, held by the stalled server
    feed.resume();
    // Once a connection has caught up again, a live revocation arrives after its ready event.
    await feed.waitFor(() => feed.readySent === 2 && feed.openStreams > 0);
    const { seq } = feed.revoke({ jti: 'at_unrelated', expiresAtMs: later });
    await revocations.waitFor((entry) => entry.seq === seq);
    await verifier.verify(token);
  });

  it('a verifier whose feed never catches up refuses once the startup wait (maxStalenessMs) is over (SEC-83)', testTimeout, async (t) => {
    const feed = await startFeed(t);
    feed.stall();
    const startedMs = performance.now();
    const { verifier } = follow(feed, { maxStalenessMs: 200 });
    const refusal = await assertRefused(verifier.verify(await mintAccessToken(keys.ES256)), 'verifier_unavailable');
    const waitedMs = performance.now() - startedMs;
    assert.ok(waitedMs >= 150 && waitedMs < 2_000, `waited ${waitedMs} ms`);
    assert.ok(refusal.cause instanceof RevocationFeedError);
    assert.match(refusal.cause.message, /has not caught up yet|nothing received/);
    const ready = verifier.ready();
    verifier.close();
    await assertRefused(ready, 'verifier_unavailable');
  });

  // docs/security.md SEC-114: with the defaults (maxStalenessMs 30 s), an unreachable feed used to
  // hold the first request 30 s; now the startup wait is bounded (default 5 s) and fails closed.
  it('with the default options, a feed that never answers fails the first request closed after the bounded startup wait, not maxStalenessMs (SEC-114)', { timeout: 20_000 }, async (t) => {
    const feed = await startFeed(t);
    feed.stall();
    const { verifier } = follow(feed);
    const refusal = await assertRefused(verifier.verify(await mintAccessToken(keys.ES256)), 'verifier_unavailable');
    assert.ok(refusal.cause instanceof RevocationFeedError);
  });

  it('startupTimeoutMs sets the startup wait (SEC-114)', testTimeout, async (t) => {
    const feed = await startFeed(t);
    feed.stall();
    const { verifier } = follow(feed, { startupTimeoutMs: 100 });
    await assertRefused(verifier.verify(await mintAccessToken(keys.ES256)), 'verifier_unavailable');
  });

  it('bad credentials: verify() fails closed at once with verifier_unavailable, saying authentication failed (SEC-83)', testTimeout, async (t) => {
    const feed = await startFeed(t);
    const wrongSecret = 'not-the-secret';
    const { verifier, errors } = follow(feed, { clientSecret: wrongSecret });
    // The default maxStalenessMs (30 s) is well over this test's timeout: the refusal must not wait for it.
    const refusal = await assertRefused(verifier.verify(await mintAccessToken(keys.ES256)), 'verifier_unavailable');
    assert.equal(refusal.status, 503);
    assert.ok(refusal.cause instanceof RevocationFeedError);
    assert.equal(refusal.cause.reason, 'authentication_failed');
    assert.match(refusal.cause.message, /authentication failed/);
    assert.ok(!refusal.cause.message.includes(wrongSecret));
    assert.equal(errors.items[0]!.reason, 'authentication_failed');
    assert.equal(feed.requests[0]!.authenticated, false);
    await feed.waitFor(() => feed.requests.length === 2); // and it keeps trying, with backoff
  });

  const refusedAnswers = [
    { label: 'HTTP 500', reason: 'http_error', message: /HTTP 500/, answer: { status: 500, headers: {}, body: '' } },
    {
      label: 'a redirect (not followed: the credentials are for the configured url)',
      reason: 'http_error',
      message: /redirects are not followed/,
      answer: { status: 302, headers: { location: '/elsewhere' }, body: '' },
    },
    {
      label: 'a 200 that is not text/event-stream',
      reason: 'protocol_error',
      message: /not text\/event-stream/,
      answer: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>proxy login</html>' },
    },
  ] as const;
  for (const { label, reason, message, answer } of refusedAnswers) {
    it(`${label} is refused, and the verifier tries again`, testTimeout, async (t) => {
      const feed = await startFeed(t);
      feed.respondWith((_request, response) => response.writeHead(answer.status, answer.headers).end(answer.body));
      const { verifier, errors } = follow(feed, { maxStalenessMs: 5_000 });
      const error = await errors.waitFor(() => true);
      assert.equal(error.reason, reason);
      assert.match(error.message, message);
      feed.respondWith(undefined);
      await verifier.ready();
      assert.ok(feed.requests.every((request) => request.path === '/v1/revocations'));
    });
  }
});

describe('revocationFeed: close()', () => {
  it('aborts the stream and refuses every later token', testTimeout, async (t) => {
    const feed = await startFeed(t);
    const { verifier } = follow(feed);
    await verifier.ready();
    await feed.waitFor(() => feed.openStreams === 1);
    verifier.close();
    await feed.waitFor(() => feed.openStreams === 0);
    await assertRefused(verifier.verify(await mintAccessToken(keys.ES256)), 'verifier_unavailable');
  });
});

function rejection(result: PromiseSettledResult<unknown>): unknown {
  assert.equal(result.status, 'rejected');
  return (result as PromiseRejectedResult).reason;
}
