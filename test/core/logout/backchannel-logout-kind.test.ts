// The back-channel logout delivery kind over a real HTTP receiver: docs/security.md SEC-223, SEC-224, SEC-225.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { deliverDue } from '../../../src/core/delivery/deliver-due.ts';
import { defaultRetryPolicy } from '../../../src/core/delivery/retry-schedule.ts';
import { backchannelLogoutKind } from '../../../src/core/logout/backchannel-logout-kind.ts';
import { backchannelLogoutKindName } from '../../../src/core/logout/enqueue-backchannel-logouts.ts';
import { logOut } from '../../../src/core/sessions/log-out.ts';
import type { TraceRecorder, TraceStep } from '../../../src/core/trace/ports.ts';
import { createHttpSender } from '../../../src/delivery/http-sender.ts';
import { clientRecord } from '../../support/client-record.ts';
import { createTestCore, seedUser, signedIn, testContext } from '../../support/core-deps.ts';
import { createTestTokenDeps, testOrigin } from '../../support/http-app.ts';
import { startLogoutReceiver } from '../../support/logout-receiver.ts';

async function setUp(trace?: TraceRecorder) {
  const core = await createTestCore();
  const tokens = createTestTokenDeps(core);
  await tokens.keyRing.ensureKey();
  // The JWKS as served at each check: the ID token key appears with the first logout token.
  const keys: JWTVerifyGetKey = async (header, token) => createLocalJWKSet(await tokens.keyRing.publicJwks())(header, token);
  const receiver = await startLogoutReceiver({ keys, issuer: testOrigin, clientId: 'notes', currentDate: () => new Date(core.clock.nowMs()) });
  await core.store.clients.create(
    clientRecord({ id: 'notes', name: 'Notes', type: 'confidential', secretHash: null, grantTypes: ['authorization_code'], audience: 'notes', refreshTokenDelivery: 'body', createdAtMs: 0 }, { backchannelLogoutUri: receiver.url }),
  );
  const ada = await seedUser(core, 'ada@example.com');
  const current = await signedIn(core, ada);
  const nowMs = core.clock.nowMs();
  await core.store.sessionClients.record({ sessionId: current.session.id, clientId: 'notes', userId: ada.id, firstIssuedAtMs: nowMs, lastIssuedAtMs: nowMs, expiresAtMs: current.session.expiresAtMs });
  const kind = backchannelLogoutKind({ store: core.store, clock: core.clock, random: core.random, issuer: testOrigin, idTokenKeys: tokens.idTokenKeys, ...(trace === undefined ? {} : { trace }) });
  const pass = () =>
    deliverDue({ deliveries: core.store.deliveries, clock: core.clock, random: core.random, sender: createHttpSender({ timeoutMs: 5_000, maxResponseBytes: 1024, allowedNetworks: ['loopback'] }), kinds: new Map([[backchannelLogoutKindName, kind]]), retry: defaultRetryPolicy, leaseMs: 60_000, batchSize: 10 });
  return { core, ada, current, receiver, pass };
}

describe('back-channel logout delivery', () => {
  it('POSTs a form with only logout_token, a valid logout+jwt for the app with sub and sid and no nonce; the outcome is audited (SEC-224)', async () => {
    const { core, ada, current, receiver, pass } = await setUp();
    try {
      await logOut(core, current, testContext());
      assert.equal(await pass(), 1);
      const [logout] = await receiver.waitFor(1);
      assert.equal(logout!.claims.sub, ada.id);
      assert.equal(logout!.claims['sid'], current.session.id);
      assert.equal(logout!.claims.aud, 'notes');
      assert.deepEqual(logout!.parameters, ['logout_token']);
      assert.match(logout!.contentType, /^application\/x-www-form-urlencoded/);
      assert.deepEqual(receiver.refused, []);
      const [delivery] = await core.store.deliveries.list({ limit: 5, kind: backchannelLogoutKindName });
      assert.equal(delivery?.state, 'delivered');
      const audit = (await core.store.audit.list({ limit: 20, userId: ada.id })).find((e) => e.type === 'backchannel_logout.delivered');
      assert.equal(audit?.detail, `client notes session ${current.session.id}`);
    } finally {
      await receiver.close();
    }
  });

  it('a failed attempt is retried with backoff, and the retry carries a fresh, unexpired token (SEC-225)', async () => {
    const { core, current, receiver, pass } = await setUp();
    try {
      await logOut(core, current, testContext());
      receiver.failNext(503);
      await pass();
      const [failed] = await core.store.deliveries.list({ limit: 5, kind: backchannelLogoutKindName });
      assert.equal(failed?.state, 'pending');
      assert.equal(failed?.lastStatus, 503);
      assert.ok(failed!.nextAttemptAtMs > core.clock.nowMs(), 'not again at once');
      assert.equal(await pass(), 0, 'not due yet');
      // Well past the first token's two minutes: the retry signs a new one.
      core.clock.advance(failed!.nextAttemptAtMs - core.clock.nowMs() + 10 * 60_000);
      assert.equal(await pass(), 1);
      const [logout] = await receiver.waitFor(1);
      assert.ok(logout!.claims.iat! * 1000 >= core.clock.nowMs() - 1000, 'signed at the retry');
      assert.equal((await core.store.deliveries.list({ limit: 5, kind: backchannelLogoutKindName }))[0]?.state, 'delivered');
    } finally {
      await receiver.close();
    }
  });

  it('only the URI the app still has registered gets a POST: a changed or removed URI, or a deleted app, gets nothing (SEC-223)', async () => {
    const { core, ada, current, receiver, pass } = await setUp();
    try {
      await logOut(core, current, testContext());
      // The app is re-registered without a back-channel URI before the delivery goes out.
      await core.store.clients.delete('notes');
      await pass();
      const [delivery] = await core.store.deliveries.list({ limit: 5, kind: backchannelLogoutKindName });
      assert.equal(delivery?.state, 'dead');
      assert.equal(delivery?.lastError, 'target_removed');
      assert.equal(receiver.received.length + receiver.refused.length, 0, 'nothing reached the old URI');
      assert.ok((await core.store.audit.list({ limit: 20, userId: ada.id })).some((e) => e.type === 'backchannel_logout.failed'));
    } finally {
      await receiver.close();
    }
  });

  it('traced for the inspector: queued in the logout, then each attempt with its status and the time since the logout; no logout token (SEC-250)', async () => {
    const steps: TraceStep[] = [];
    const trace: TraceRecorder = { recording: true, step: (step) => steps.push(step) };
    const { core, current, receiver, pass } = await setUp(trace);
    try {
      await logOut({ ...core, trace }, current, testContext());
      const queued = steps.find((step) => step.title === 'Back-channel logout queued for notes');
      assert.equal(queued?.detail?.['to'], receiver.url);
      assert.equal(queued?.detail?.['sid'], current.session.id);
      assert.equal(queued?.teach, 'backchannel-logout');
      core.clock.advance(1_500);
      assert.equal(await pass(), 1);
      await receiver.waitFor(1);
      const delivered = steps.find((step) => step.title === 'Back-channel logout delivered to notes');
      assert.equal(delivered?.outcome, 'ok');
      assert.equal(delivered?.detail?.['status'], 200);
      assert.equal(delivered?.detail?.['attempt'], 1);
      assert.equal(delivered?.detail?.['msSinceLogout'], 1_500);
      assert.doesNotMatch(JSON.stringify(steps), /eyJ[A-Za-z0-9_-]+\./, 'no JWT (the logout token) is shown');
    } finally {
      await receiver.close();
    }
  });
});
