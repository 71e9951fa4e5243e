import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redactUrl } from '../../src/main.ts';
import { migrations } from '../../src/storage/sql/migrations/index.ts';
import { cliEnv, runCli } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/postgres.ts';

// The timeout is a hang guard, not a timing assertion (CLI runs spawn Node).
describe('gatehouse migrate on PostgreSQL', { timeout: 90_000 }, () => {
  test('applies every migration to a new database, then reports it up to date', async () => {
    const url = new URL(await createTestDatabase());
    // The throwaway server trusts local connections, so a password here is accepted and ignored:
    // it only checks that the CLI never prints one.
    url.password = 'not-to-be-printed';
    const env = cliEnv(url.toString());
    const first = await runCli(['migrate'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), `applied: ${Object.keys(migrations).join(', ')}`);
    const second = await runCli(['migrate'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'database is up to date');
    for (const output of [first, second]) assert.ok(!`${output.stdout}${output.stderr}`.includes('not-to-be-printed'));
  });

  test('redactUrl hides the password of a database URL in the start-up banner and logs (SEC-95)', () => {
    assert.equal(redactUrl('postgres://gatehouse:s3cret@db.internal:5432/gatehouse'), 'postgres://gatehouse:***@db.internal:5432/gatehouse');
    assert.equal(redactUrl('redis://:s3cret@cache:6379/0'), 'redis://:***@cache:6379/0');
    assert.equal(redactUrl('./data/gatehouse.db'), './data/gatehouse.db');
  });
});
