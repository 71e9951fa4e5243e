import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { cliEnv, makeTempDir, runCli, runCliOk, tableRows, type TempDir } from '../support/cli-process.ts';

let temp: TempDir;
let env: Record<string, string>;
beforeEach(() => {
  temp = makeTempDir();
  env = cliEnv(temp.database);
});
afterEach(() => temp.remove());

// The timeout is a hang guard: each CLI run spawns Node, slow on a busy machine.
describe('gatehouse webhooks (no server running)', { timeout: 180_000 }, () => {
  test('add prints the whsec_ secret once; list shows the endpoint and its state, never the secret; a user created by the CLI is queued (SEC-291)', async () => {
    const added = await runCli(['webhooks', 'add', '--url', 'https://hooks.example.com/in', '--event', 'user.created', '--event', 'user.deleted'], { env });
    assert.equal(added.code, 0, added.stderr);
    const id = /^id: (ep_\S+)$/m.exec(added.stdout)?.[1] ?? assert.fail(added.stdout);
    const secret = /^secret: (whsec_\S+)$/m.exec(added.stdout)?.[1] ?? assert.fail(added.stdout);
    assert.match(added.stderr, /shown this once/);
    assert.match(added.stdout, /^events: user.created user.deleted$/m);

    const listed = await runCliOk(['webhooks', 'list'], { env });
    assert.ok(!listed.includes(secret.slice(6)), 'list never shows the secret');
    assert.deepEqual(
      tableRows(listed).map((r) => [r.id, r.url, r.events, r.failures, r.dead]),
      [[id, 'https://hooks.example.com/in', 'user.created user.deleted', '0', '0']],
    );

    await runCliOk(['user', 'create', '--email', 'ada@example.com', '--password-stdin'], { env, stdin: 'correct horse battery staple\n' });
    const queued = tableRows(await runCliOk(['webhooks', 'deliveries'], { env }));
    assert.deepEqual(queued.map((d) => [d.endpoint, d.event, d.state, d.attempts]), [[id, 'user.created', 'pending', '0']]);
    assert.deepEqual(tableRows(await runCliOk(['webhooks', 'deliveries', '--dead'], { env })), []);

    const rotated = await runCliOk(['webhooks', 'rotate-secret', id], { env });
    const next = /^secret: (whsec_\S+)$/m.exec(rotated)?.[1];
    assert.ok(next !== undefined && next !== secret);

    await runCliOk(['webhooks', 'remove', id], { env });
    assert.deepEqual(tableRows(await runCliOk(['webhooks', 'list'], { env })), []);
  });

  test('refuses a bad URL, an unknown event, an unknown endpoint and a delivery that is not dead (SEC-292)', async () => {
    const plain = await runCli(['webhooks', 'add', '--url', 'http://hooks.example.com/', '--event', 'user.created'], { env });
    assert.notEqual(plain.code, 0);
    assert.match(plain.stderr, /invalid_webhook_url/);
    const event = await runCli(['webhooks', 'add', '--url', 'https://hooks.example.com/', '--event', 'user.hacked'], { env });
    assert.match(event.stderr, /invalid_webhook_event/);
    assert.match((await runCli(['webhooks', 'remove', 'ep_nope'], { env })).stderr, /webhook_endpoint_not_found/);
    assert.match((await runCli(['webhooks', 'retry', 'msg_nope'], { env })).stderr, /delivery_not_found/);
  });
});
