import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { api, cliEnv, killAllServes, makeTempDir, runCliOk, signUpOverHttp, startServe, tableRows, type TempDir } from '../support/cli-process.ts';

/**
 * docs/security.md SEC-298: webhooks survive `kill -9`. A real `gatehouse serve` child writes
 * events while the receiver answers 500, so deliveries are pending and retried; it is killed
 * with SIGKILL mid-retry, and more events are written just before. After a restart on the same
 * SQLite file every event is delivered (at least once), every request verifies with the
 * endpoint's secret through the standardwebhooks library, and each event keeps one webhook-id
 * across every attempt, before and after the crash.
 */

interface Hit {
  id: string;
  status: number;
  verified: boolean;
}

let temp: TempDir;
let env: Record<string, string>;
const hits: Hit[] = [];
let answer = 500;
let secret = '';
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    const header = (name: string): string => String((req.headers as IncomingHttpHeaders)[name] ?? '');
    let verified = false;
    try {
      new Webhook(secret).verify(body, { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') });
      verified = true;
    } catch {
      verified = false;
    }
    hits.push({ id: header('webhook-id'), status: answer, verified });
    res.writeHead(answer).end();
  });
});

/** Hang guard only: polls until `condition` holds, failing with `what` after a generous bound. */
async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting: ${what}`);
}

async function deliveries(): Promise<Array<Record<string, string>>> {
  return tableRows(await runCliOk(['webhooks', 'deliveries', '--limit', '1000'], { env }));
}

before(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  temp = makeTempDir('gatehouse-webhooks-kill9-');
  // One environment for every command: the server secret also encrypts the endpoint's signing secret.
  env = cliEnv(temp.database, { GATEHOUSE_DELIVERY_ALLOWED_NETWORKS: 'loopback', GATEHOUSE_DELIVERY_RETRY_BASE_DELAY_MS: '200' });
});
after(async () => {
  await killAllServes();
  receiver.close();
  temp.remove();
});

describe('webhooks across kill -9', { timeout: 120_000 }, () => {
  test('every event is delivered after the restart, each under one webhook-id, every request signed (SEC-298)', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    const added = await runCliOk(['webhooks', 'add', '--url', url, '--event', 'user.created', 'login.failed'], { env });
    secret = /^secret: (whsec_\S+)$/m.exec(added)?.[1] ?? '';
    assert.match(secret, /^whsec_/);

    let server = await startServe(env);
    for (const name of ['ada', 'bob', 'cy']) await signUpOverHttp(server.url, `${name}@example.com`, 'correct horse battery staple');
    for (let i = 0; i < 2; i++) assert.equal((await api(server.url, 'POST', '/v1/session', { body: { email: 'ada@example.com', password: 'not the password at all' } })).status, 401);
    // The receiver fails: every one of the 5 events is attempted, then retried.
    await until('each event attempted and retried', () => new Set(hits.map((h) => h.id)).size === 5 && hits.length >= 10);
    // Two more events, then the crash: they may or may not have had a first attempt.
    await signUpOverHttp(server.url, 'dee@example.com', 'correct horse battery staple');
    assert.equal((await api(server.url, 'POST', '/v1/session', { body: { email: 'nobody@example.com', password: 'not the password at all' } })).status, 401);
    await server.kill('SIGKILL');
    assert.equal(server.child.signalCode, 'SIGKILL');

    const pending = await deliveries();
    assert.equal(pending.length, 7);
    assert.deepEqual(new Set(pending.map((d) => d.state)), new Set(['pending']), 'nothing was lost or given up on');
    const ids = new Set(pending.map((d) => d.id));
    assert.ok(hits.every((h) => ids.has(h.id)), 'every attempt before the crash used a stored id');

    answer = 204;
    server = await startServe(env);
    await until('all seven delivered', () => ids.size === new Set(hits.filter((h) => h.status === 204).map((h) => h.id)).size);
    await server.kill('SIGTERM');

    assert.deepEqual(new Set(hits.filter((h) => h.status === 204).map((h) => h.id)), ids, 'each event delivered under the id it was stored with');
    assert.ok(hits.every((h) => h.verified), 'every request verified with the endpoint secret');
    const done = await deliveries();
    assert.deepEqual(new Set(done.map((d) => d.state)), new Set(['delivered']));
    const events = done.map((d) => d.event).sort();
    assert.deepEqual(events, ['login.failed', 'login.failed', 'login.failed', 'user.created', 'user.created', 'user.created', 'user.created']);
    const list = tableRows(await runCliOk(['webhooks', 'list'], { env }));
    assert.deepEqual([list[0]?.failures, list[0]?.dead], ['0', '0']);
  });
});
