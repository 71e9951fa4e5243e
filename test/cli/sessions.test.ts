import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api,
  cliEnv,
  killAllServes,
  logInOverHttp,
  makeTempDir,
  problemCode,
  runCliOk,
  signUpOverHttp,
  startServe,
  tableRows,
  testUserAgent,
  type ServeProcess,
  type TempDir,
} from '../support/cli-process.ts';

/**
 * The operator commands against a live server: `gatehouse serve` runs as a child on a temp
 * SQLite file, the CLI writes to the same file from other processes (as an operator would on
 * the host), and the effects are checked over HTTP. One server for the file, started once;
 * every test signs up its own accounts, so the tests do not depend on each other or on order.
 */

const password = 'correct horse battery staple';

let temp: TempDir;
let env: Record<string, string>;
let server: ServeProcess;

before(async () => {
  temp = makeTempDir();
  // Every test signs up from 127.0.0.1: lift the per-IP sign-up allowance out of the way.
  env = cliEnv(temp.database, { GATEHOUSE_RATE_LIMIT_SIGNUP_FREE_ATTEMPTS: '1000' });
  server = await startServe(env);
});

after(async () => {
  await killAllServes();
  temp.remove();
});

async function sessionStatus(token: string): Promise<number> {
  return (await api(server.url, 'GET', '/v1/session', { token })).status;
}

describe('gatehouse user / sessions / audit against a running server', { timeout: 60_000 }, () => {
  test('user disable ends every session of the user at once; login is then refused with 403 account_disabled', async () => {
    const first = await signUpOverHttp(server.url, 'disable@example.com', password);
    const second = await logInOverHttp(server.url, 'disable@example.com', password);
    const bystander = await signUpOverHttp(server.url, 'bystander@example.com', password);
    assert.equal(await sessionStatus(first.token), 200);
    assert.equal(await sessionStatus(second.token), 200);

    assert.match(await runCliOk(['user', 'disable', 'disable@example.com'], { env }), /disabled disable@example\.com; all its sessions ended/);

    assert.equal(await sessionStatus(first.token), 401, 'the first session survived user disable');
    assert.equal(await sessionStatus(second.token), 401, 'the second session survived user disable');
    const login = await api(server.url, 'POST', '/v1/session', { body: { email: 'disable@example.com', password } });
    assert.equal(login.status, 403);
    assert.equal(problemCode(login), 'account_disabled');
    assert.equal(login.sessionToken, undefined, 'a disabled account got a session cookie');
    assert.equal(await sessionStatus(bystander.token), 200, "another user's session was ended");
  });

  test('user enable lets a disabled account log in again; the sessions ended by disable stay ended', async () => {
    const ended = await signUpOverHttp(server.url, 'enable@example.com', password);
    await runCliOk(['user', 'disable', 'enable@example.com'], { env });
    assert.match(await runCliOk(['user', 'enable', 'enable@example.com'], { env }), /enabled enable@example\.com/);

    const again = await logInOverHttp(server.url, 'enable@example.com', password);
    assert.equal(await sessionStatus(again.token), 200);
    assert.equal(await sessionStatus(ended.token), 401, 'enable brought back a session that disable ended');
  });

  test('sessions list --user shows each session with its IP and user agent; sessions revoke --session ends only that one', async () => {
    const phone = await signUpOverHttp(server.url, 'devices@example.com', password);
    const laptop = await logInOverHttp(server.url, 'devices@example.com', password, 'laptop-browser/2.0');

    const listed = tableRows(await runCliOk(['sessions', 'list', '--user', 'devices@example.com'], { env }));
    assert.deepEqual(listed.map((row) => row.id).sort(), [phone.sessionId, laptop.sessionId].sort());
    const laptopRow = listed.find((row) => row.id === laptop.sessionId);
    assert.equal(laptopRow?.ip, '127.0.0.1');
    assert.equal(laptopRow?.['user agent'], 'laptop-browser/2.0');
    assert.equal(listed.find((row) => row.id === phone.sessionId)?.['user agent'], testUserAgent);

    assert.match(await runCliOk(['sessions', 'revoke', '--user', 'devices@example.com', '--session', laptop.sessionId], { env }), /revoked 1 session\(s\)/);
    assert.equal(await sessionStatus(laptop.token), 401, 'the revoked session still works');
    assert.equal(await sessionStatus(phone.token), 200, 'revoking one session ended another');
  });

  test('sessions revoke --user without --session ends every session of that user only', async () => {
    const one = await signUpOverHttp(server.url, 'revoke-all@example.com', password);
    const two = await logInOverHttp(server.url, 'revoke-all@example.com', password);
    const other = await signUpOverHttp(server.url, 'revoke-other@example.com', password);

    assert.match(await runCliOk(['sessions', 'revoke', '--user', 'revoke-all@example.com'], { env }), /revoked 2 session\(s\)/);
    assert.equal(await sessionStatus(one.token), 401);
    assert.equal(await sessionStatus(two.token), 401);
    assert.equal(await sessionStatus(other.token), 200, "another user's session was ended");
    // Revoking sessions is not disabling: the user can log in again.
    await logInOverHttp(server.url, 'revoke-all@example.com', password);
  });

  test('audit shows login.succeeded and account.disabled with IP and user agent', async () => {
    await signUpOverHttp(server.url, 'audited@example.com', password);
    const login = await logInOverHttp(server.url, 'audited@example.com', password, 'audit-agent/3.1');
    await runCliOk(['user', 'disable', 'audited@example.com'], { env });
    await api(server.url, 'POST', '/v1/session', { body: { email: 'audited@example.com', password }, userAgent: 'audit-agent/3.1' });

    const events = tableRows(await runCliOk(['audit', '--user', 'audited@example.com', '--limit', '10'], { env }));
    const types = events.map((e) => e.event);
    // Sign-up mails a verification link and never logs in: the helper's login is the first login.succeeded.
    assert.deepEqual([...types].sort(), ['account.disabled', 'email.verification_sent', 'login.failed', 'login.succeeded', 'login.succeeded', 'user.signed_up'], JSON.stringify(events));
    // Newest first: the refused login came a whole CLI run after everything else.
    assert.equal(types[0], 'login.failed');

    const succeeded = events.find((e) => e.event === 'login.succeeded' && e['user agent'] === 'audit-agent/3.1');
    assert.equal(succeeded?.ip, '127.0.0.1');
    assert.equal(succeeded?.['user agent'], 'audit-agent/3.1');
    assert.equal(succeeded?.email, 'audited@example.com');
    assert.ok(succeeded?.detail?.includes(login.sessionId), `the login entry names its session: ${succeeded?.detail}`);

    const disabled = events.find((e) => e.event === 'account.disabled');
    assert.equal(disabled?.ip, 'cli', 'an operator action is attributed to the CLI');
    assert.equal(disabled?.['user agent'], 'gatehouse-cli');
    assert.match(disabled?.detail ?? '', /ended 2 sessions/);

    const refused = events.find((e) => e.event === 'login.failed');
    assert.equal(refused?.ip, '127.0.0.1');
    assert.equal(refused?.detail, 'account_disabled');
  });

  test('user delete ends the sessions and removes the account', async () => {
    const session = await signUpOverHttp(server.url, 'leaving@example.com', password);
    assert.match(await runCliOk(['user', 'delete', 'leaving@example.com'], { env }), /deleted leaving@example\.com/);

    assert.equal(await sessionStatus(session.token), 401, 'a deleted account kept a live session');
    const login = await api(server.url, 'POST', '/v1/session', { body: { email: 'leaving@example.com', password } });
    assert.equal(login.status, 401);
    assert.equal(problemCode(login), 'invalid_credentials');
  });
});
