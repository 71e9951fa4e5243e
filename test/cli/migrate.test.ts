import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { configurationDocs } from '../../src/config/configuration-docs.ts';
import { cliEnv, makeTempDir, runCli, type TempDir } from '../support/cli-process.ts';

let temp: TempDir;
beforeEach(() => {
  temp = makeTempDir();
});
afterEach(() => temp.remove());

// The timeout is a hang guard, not a timing assertion: every CLI run spawns Node, which is slow
// on a busy 2-core machine while the PostgreSQL-backed suites run alongside.
describe('gatehouse migrate', { timeout: 180_000 }, () => {
  test('applies the migrations, then reports the database up to date', async () => {
    const env = cliEnv(temp.database);
    const first = await runCli(['migrate'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^applied: 0001-initial/m);

    const second = await runCli(['migrate'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'database is up to date');
  });
});

describe('gatehouse configuration errors', { timeout: 180_000 }, () => {
  test('a missing secret: exit 1 with the problem listed, and no database touched', async () => {
    const result = await runCli(['user', 'list'], { env: cliEnv(temp.database, { GATEHOUSE_SECRET: undefined }) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Gatehouse configuration is invalid/);
    assert.match(result.stderr, /secrets \(GATEHOUSE_SECRET\): required outside dev mode/);
    assert.equal(result.stdout, '');
  });

  test('every problem is listed at once on stderr', async () => {
    const result = await runCli(['migrate'], {
      env: cliEnv(temp.database, { GATEHOUSE_SECRET: undefined, GATEHOUSE_PUBLIC_URL: undefined, PORT: 'abc' }),
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /secrets \(GATEHOUSE_SECRET\)/);
    assert.match(result.stderr, /publicUrl \(GATEHOUSE_PUBLIC_URL\)/);
    assert.match(result.stderr, /port \(PORT\): expected a whole number/);
  });

  test('--config reads a JSON file and refuses unknown keys in it', async () => {
    const file = join(temp.path, 'gatehouse.json');
    writeFileSync(file, JSON.stringify({ sesion: { idleTimeoutSeconds: 60 } }));
    const result = await runCli(['--config', file, 'migrate'], { env: cliEnv(temp.database) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /sesion\.idleTimeoutSeconds \(config file\): unknown setting/);
  });

  test('config-docs prints exactly the generated configuration reference', async () => {
    const result = await runCli(['config-docs'], { env: cliEnv(temp.database) });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, configurationDocs());
  });
});
