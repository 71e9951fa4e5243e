import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { cliEnv, makeTempDir, runCli, runCliOk, tableRows, type TempDir } from '../support/cli-process.ts';

// 28 code points, not on the common-password list, not the email.
const password = 'correct horse battery staple';

let temp: TempDir;
let env: Record<string, string>;
beforeEach(() => {
  temp = makeTempDir();
  env = cliEnv(temp.database);
});
afterEach(() => temp.remove());

// The timeout is a hang guard, not a timing assertion: every CLI run spawns Node, which is slow
// on a busy 2-core machine while the PostgreSQL-backed suites run alongside.
describe('gatehouse user (no server running)', { timeout: 180_000 }, () => {
  test('user create --password-stdin creates the account; user list shows it', async () => {
    const created = await runCliOk(['user', 'create', '--email', 'Ada@Example.com', '--password-stdin'], { env, stdin: `${password}\n` });
    assert.match(created, /^created user \S+ <ada@example\.com>$/m);
    assert.ok(!created.includes(password), 'the password is never echoed');

    const rows = tableRows(await runCliOk(['user', 'list'], { env }));
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.equal(rows[0]?.email, 'ada@example.com');
    assert.equal(rows[0]?.disabled, '', 'a new account is enabled');
    assert.match(created, new RegExp(`created user ${rows[0]?.id ?? '(missing id)'} `));
  });

  test('a weak password is refused with a clear message and exit code 1; no account is created', async () => {
    const tooShort = await runCli(['user', 'create', '--email', 'weak@example.com', '--password-stdin'], { env, stdin: 'short\n' });
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.stderr, /password_too_short: Use at least 15 characters/);
    assert.ok(!tooShort.stderr.includes('    at '), `no stack trace for an expected refusal:\n${tooShort.stderr}`);

    assert.equal((await runCliOk(['user', 'list'], { env })).trim(), '(none)');
  });

  test('user create without a password option exits 1 and says how to give one', async () => {
    const result = await runCli(['user', 'create', '--email', 'nopass@example.com'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--password-stdin/);
  });

  test('--limit must be a whole number: refused with exit 1 before the database is touched', async () => {
    for (const args of [['user', 'list', '--limit', 'abc'], ['audit', '--limit', '0']]) {
      const result = await runCli(args, { env });
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /--limit/);
      assert.doesNotMatch(result.stderr, /datatype mismatch/);
    }
  });

  test('commands naming an unknown user exit 1 with the email in the message', async () => {
    const disable = await runCli(['user', 'disable', 'ghost@example.com'], { env });
    assert.equal(disable.code, 1);
    assert.match(disable.stderr, /no user with email ghost@example\.com/);
  });

  test('sessions revoke --session with an id the user does not have exits 1 with session_not_found', async () => {
    await runCliOk(['user', 'create', '--email', 'rev@example.com', '--password-stdin'], { env, stdin: password });
    const result = await runCli(['sessions', 'revoke', '--user', 'rev@example.com', '--session', 'no-such-session'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /session_not_found/);
  });
});

describe('gatehouse user grant-admin / revoke-admin (no server running)', { timeout: 180_000 }, () => {
  test('grant-admin makes the account an operator, revoke-admin takes it back; both are audited; an unknown email exits 1', async () => {
    await runCliOk(['user', 'create', '--email', 'op@example.com', '--password-stdin'], { env, stdin: `${password}\n` });
    const granted = await runCliOk(['user', 'grant-admin', '--email', 'Op@Example.com'], { env });
    assert.match(granted, /op@example\.com is an operator/);
    assert.match(granted, /stays closed to it until the account has an authenticator app \(TOTP\) or a passkey/);
    const admins = tableRows(await runCliOk(['user', 'list-admins'], { env }));
    assert.deepEqual(admins.map((r) => r.email), ['op@example.com']);

    assert.match(await runCliOk(['user', 'revoke-admin', '--email', 'op@example.com'], { env }), /op@example\.com is no longer an operator/);
    assert.equal((await runCliOk(['user', 'list-admins'], { env })).trim(), '(none)');

    const audit = tableRows(await runCliOk(['audit', '--user', 'op@example.com'], { env }));
    assert.deepEqual(audit.map((r) => r.event).filter((e) => e?.startsWith('operator.')), ['operator.revoked', 'operator.granted']);
    assert.ok(audit.every((r) => r.ip === 'cli'));

    const unknown = await runCli(['user', 'grant-admin', '--email', 'ghost@example.com'], { env });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no user with email ghost@example\.com/);
  });
});
