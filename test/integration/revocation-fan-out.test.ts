// Revocation fan-out (issue 3): Gatehouse and three SDK verifiers in separate processes. A
// session revoked on the server is refused by all three once their feed event arrives, and by a
// verifier started after the revocation. Event-driven over IPC: no sleeping.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/core/clients/create-client.ts';
import { testPassword } from '../support/core-deps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';
import { startWorker, type Worker } from './support/verifier-process.ts';

const audience = 'https://api.example.com';
describe('revocation fan-out to three verifier processes', () => {
  let server: TestServer;
  let env: Record<string, string>;
  const workers: Worker[] = [];

  before(async () => {
    server = await startTestServer();
    await createClient(server.gatehouse.deps, { id: 'web', name: 'Web', type: 'public', grantTypes: ['password', 'refresh_token'], audience });
    const api = await createClient(server.gatehouse.deps, { id: 'notes-api', name: 'Notes API', type: 'confidential', grantTypes: ['session'], audience });
    env = { ISSUER: server.url, AUDIENCE: audience, FEED_CLIENT_ID: 'notes-api', FEED_CLIENT_SECRET: api.secret as string };
    const signUp = await fetch(`${server.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: 'fanout@example.com', password: testPassword }),
    });
    assert.equal(signUp.status, 202);
    for (let i = 0; i < 3; i++) workers.push(startWorker(env));
    await Promise.all(workers.map((w) => w.next((m) => m.type === 'ready')));
  });
  after(async () => {
    for (const w of workers) w.child.kill();
    await server?.close();
  });

  it('all three refuse the token of a revoked session after the event, and a verifier started later refuses it too', async () => {
    const grant = await fetch(`${server.url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username: 'fanout@example.com', password: testPassword }),
    });
    const tokens = (await grant.json()) as { access_token: string; refresh_token: string };
    const accepted = await Promise.all(workers.map((w) => w.verify(tokens.access_token)));
    for (const result of accepted) assert.equal(result.ok, true);
    const sid = accepted[0]?.sid;

    const revokedAtMs = Date.now();
    const revoke = await fetch(`${server.url}/v1/token/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token, client_id: 'web' }),
    });
    assert.equal(revoke.status, 200);
    const arrivals = await Promise.all(workers.map((w) => w.next((m) => m.type === 'revocation' && m.sid === sid)));
    const refused = await Promise.all(workers.map((w) => w.verify(tokens.access_token)));
    for (const result of refused) assert.deepEqual({ ok: result.ok, code: result.code }, { ok: false, code: 'token_revoked' });
    // Reported, not asserted (tests never assert timings): how long the event took to arrive.
    console.log(`# revocation reached the verifiers in ${arrivals.map((a) => (a.atMs as number) - revokedAtMs).join(', ')} ms`);

    const late = startWorker(env);
    workers.push(late);
    await late.next((m) => m.type === 'ready');
    const lateResult = await late.verify(tokens.access_token);
    assert.deepEqual({ ok: lateResult.ok, code: lateResult.code }, { ok: false, code: 'token_revoked' });
  });
});
