import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  api,
  cliEnv,
  killAllServes,
  logInOverHttp,
  makeTempDir,
  problemCode,
  signUpOverHttp,
  startServe,
  type ServeProcess,
  type TempDir,
} from '../support/cli-process.ts';

/**
 * docs/security.md SEC-54: `kill -9` right after a success from logout, revoke or a password change ->
 * the effect holds after restart. The server runs as a real `gatehouse serve` child on a temp
 * SQLite file; it gets SIGKILL (no shutdown hook, no flush) the moment the response arrives,
 * and a new server on the same file must refuse the ended sessions. A 2xx must mean committed.
 */

const password = 'correct horse battery staple';
const email = 'durable@example.com';

let temp: TempDir;
let env: Record<string, string>;
beforeEach(() => {
  temp = makeTempDir('gatehouse-kill9-');
  env = cliEnv(temp.database);
});
afterEach(async () => {
  await killAllServes();
  temp.remove();
});

/** SIGKILLs the server at once, waits for the process to be gone, and starts a new one on the same database. */
async function crashAndRestart(server: ServeProcess): Promise<ServeProcess> {
  await server.kill('SIGKILL');
  assert.equal(server.child.signalCode, 'SIGKILL', 'the server was not killed by SIGKILL');
  return startServe(env);
}

async function sessionStatus(server: ServeProcess, token: string): Promise<number> {
  return (await api(server.url, 'GET', '/v1/session', { token })).status;
}

// A hang guard, not a timing assertion: each step starts two servers and hashes passwords, 25-35 s on a loaded 2-core machine.
describe('kill -9 right after a 2xx: the effect survives the restart', { timeout: 180_000 }, () => {
  test('logout (DELETE /v1/session -> 204)', async () => {
    let server = await startServe(env);
    const kept = await signUpOverHttp(server.url, email, password);
    const loggedOut = await logInOverHttp(server.url, email, password);

    const logout = await api(server.url, 'DELETE', '/v1/session', { token: loggedOut.token });
    assert.equal(logout.status, 204);
    server = await crashAndRestart(server);

    assert.equal(await sessionStatus(server, loggedOut.token), 401, 'the logged-out session came back after kill -9');
    assert.equal(await sessionStatus(server, kept.token), 200, 'the other session was lost');
  });

  test('revoke (DELETE /v1/sessions/:id -> 204)', async () => {
    let server = await startServe(env);
    const kept = await signUpOverHttp(server.url, email, password);
    const revoked = await logInOverHttp(server.url, email, password);

    const revoke = await api(server.url, 'DELETE', `/v1/sessions/${revoked.sessionId}`, { token: kept.token });
    assert.equal(revoke.status, 204);
    server = await crashAndRestart(server);

    assert.equal(await sessionStatus(server, revoked.token), 401, 'the revoked session came back after kill -9');
    assert.equal(await sessionStatus(server, kept.token), 200, 'the revoking session was lost');
  });

  test('password change (POST /v1/me/password -> 200) ends the other sessions', async () => {
    let server = await startServe(env);
    const other = await signUpOverHttp(server.url, email, password);
    const here = await logInOverHttp(server.url, email, password);
    const newPassword = 'a brand new passphrase for kill nine';

    const change = await api(server.url, 'POST', '/v1/me/password', { token: here.token, body: { currentPassword: password, newPassword } });
    assert.equal(change.status, 200, JSON.stringify(change.body));
    const renewed = change.sessionToken;
    assert.ok(renewed !== undefined, 'the password change set no new session cookie');
    server = await crashAndRestart(server);

    assert.equal(await sessionStatus(server, other.token), 401, 'another session outlived the password change after kill -9');
    assert.equal(await sessionStatus(server, here.token), 401, 'the pre-change session id outlived the password change');
    assert.equal(await sessionStatus(server, renewed), 200, 'the session issued with the change was lost');
    const oldLogin = await api(server.url, 'POST', '/v1/session', { body: { email, password } });
    assert.equal(oldLogin.status, 401);
    assert.equal(problemCode(oldLogin), 'invalid_credentials', 'the old password works again after kill -9');
    await logInOverHttp(server.url, email, newPassword);
  });
});
