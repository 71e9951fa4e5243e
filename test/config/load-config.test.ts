import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { configurationDocs } from '../../src/config/configuration-docs.ts';
import { ConfigError, loadConfig, type LoadConfigOptions } from '../../src/config/load-config.ts';

const goodSecret = randomBytes(32).toString('base64url');
const fileSecret = randomBytes(32).toString('base64url');
const goodEnv = { GATEHOUSE_SECRET: goodSecret, GATEHOUSE_PUBLIC_URL: 'https://auth.example.com' } as const;

/** The problems of the ConfigError that `options` must cause (fails if it loads). */
function problemsOf(options: LoadConfigOptions): readonly string[] {
  try {
    loadConfig(options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.ok(error.problems.length > 0);
    // The message lists every problem too, for the operator reading stderr.
    for (const problem of error.problems) assert.ok(error.message.includes(problem));
    return error.problems;
  }
  assert.fail('expected a ConfigError, but the configuration loaded');
}

function assertProblem(problems: readonly string[], pattern: RegExp): void {
  assert.ok(
    problems.some((p) => pattern.test(p)),
    `expected a problem matching ${String(pattern)}, got:\n${problems.join('\n')}`,
  );
}

function assertDeeplyFrozen(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  assert.ok(Object.isFrozen(value), `${path} is not frozen`);
  for (const [key, inner] of Object.entries(value)) assertDeeplyFrozen(inner, `${path}.${key}`);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('loadConfig outside dev mode', () => {
  test('loads a valid configuration with the documented defaults', () => {
    const config = loadConfig({ env: goodEnv });
    assert.equal(config.dev, false);
    assert.equal(config.publicUrl, 'https://auth.example.com');
    assert.deepEqual(config.secrets, [goodSecret]);
    assert.equal(config.port, 3000);
    assert.equal(config.password.minLength, 15);
    assert.equal(config.password.argon2.memoryKiB, 19_456);
    assert.deepEqual(config.devNotices, []);
  });

  test('no secret and no public URL: both problems are listed at once (SEC-96)', () => {
    const problems = problemsOf({ env: {} });
    assertProblem(problems, /^secrets \(GATEHOUSE_SECRET\): required/);
    assertProblem(problems, /^publicUrl \(GATEHOUSE_PUBLIC_URL\): required/);
  });

  test('every problem is listed together, not just the first', () => {
    const problems = problemsOf({
      env: { PORT: 'abc', GATEHOUSE_SECRET: 'short', GATEHOUSE_PUBLIC_URL: 'http://example.com', GATEHOUSE_LOG_LEVEL: 'loud' },
    });
    assertProblem(problems, /^port \(PORT\)/);
    assertProblem(problems, /^secrets \(GATEHOUSE_SECRET\): each secret must be at least 32 characters/);
    assertProblem(problems, /^publicUrl .*must be https/);
    assertProblem(problems, /^logLevel: must be one of/);
    assert.equal(problems.length, 4, problems.join('\n'));
  });

  test('a secret under 32 characters is refused, 32 is accepted (SEC-96)', () => {
    assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_SECRET: 'x'.repeat(31) } }), /at least 32 characters/);
    const thirtyTwo = 'Zr8pQ2vL6tN0xB4mW9cK3hF7jD1sG5aY';
    assert.deepEqual(loadConfig({ env: { ...goodEnv, GATEHOUSE_SECRET: thirtyTwo } }).secrets, [thirtyTwo]);
  });

  // docs/security.md SEC-109: a placeholder secret would make every key derived from it guessable.
  test('outside dev mode, a secret with too little entropy is refused with how to make one (SEC-109)', () => {
    for (const weak of ['a'.repeat(32), 'ab'.repeat(20), 'changeme'.repeat(4), `${goodSecret},${'x'.repeat(40)}`]) {
      assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_SECRET: weak } }), /too little entropy.*openssl rand -base64 32/);
    }
    for (const strong of [randomBytes(32).toString('base64'), randomBytes(32).toString('hex'), randomBytes(32).toString('base64url')]) {
      assert.deepEqual(loadConfig({ env: { ...goodEnv, GATEHOUSE_SECRET: strong } }).secrets, [strong]);
    }
  });


  test('one short secret in a rotation list is refused (SEC-96)', () => {
    assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_SECRET: `${goodSecret},tooshort` } }), /at least 32 characters/);
    const rotated = randomBytes(30).toString('base64url');
    assert.deepEqual(loadConfig({ env: { ...goodEnv, GATEHOUSE_SECRET: `${goodSecret}, ${rotated}` } }).secrets, [goodSecret, rotated]);
  });

  test('http:// public URL refused except for localhost (SEC-96)', () => {
    assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_PUBLIC_URL: 'http://example.com' } }), /^publicUrl \(GATEHOUSE_PUBLIC_URL\): must be https/);
    for (const url of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:3000']) {
      assert.equal(loadConfig({ env: { ...goodEnv, GATEHOUSE_PUBLIC_URL: url } }).publicUrl, url);
    }
  });

  test('a public URL with a path, query or credentials is refused; a trailing slash is normalized away (SEC-96)', () => {
    for (const url of ['https://example.com/auth', 'https://example.com/?x=1', 'https://user:pw@example.com']) {
      assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_PUBLIC_URL: url } }), /^publicUrl .*bare origin/);
    }
    assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_PUBLIC_URL: 'not a url' } }), /^publicUrl .*not a valid URL/);
    assert.equal(loadConfig({ env: { ...goodEnv, GATEHOUSE_PUBLIC_URL: 'https://Auth.Example.com/' } }).publicUrl, 'https://auth.example.com');
  });

  test('an unknown key in the JSON file is refused, nested or top-level (SEC-96)', () => {
    const file = writeJson('config.json', { session: { idleTimeoutSecs: 60 }, colour: 'blue' });
    const problems = problemsOf({ env: goodEnv, file });
    assertProblem(problems, /^session\.idleTimeoutSecs \(config file\): unknown setting/);
    assertProblem(problems, /^colour \(config file\): unknown setting/);
  });

  test('a config file that is not a JSON object is refused', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "port": ');
    assertProblem(problemsOf({ env: goodEnv, file: broken }), new RegExp(`^${broken.replaceAll(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:`));
    assertProblem(problemsOf({ env: goodEnv, file: writeJson('array.json', [1, 2]) }), /expected a JSON object/);
    assertProblem(problemsOf({ env: goodEnv, file: join(dir, 'missing.json') }), /missing\.json/);
  });

  test('a JSON syntax error is reported by position, without quoting the file (it may hold secrets) (SEC-95)', () => {
    // V8 quotes a slice of the input in some JSON.parse errors: `Unexpected token 'm', ..."secrets": my-s"...`.
    const secret = 'my-super-secret-value-that-is-long-enough';
    for (const text of [`{"secrets": ${secret}}`, `{"secrets": ['${secret}']}`]) {
      const file = join(dir, 'typo.json');
      writeFileSync(file, text);
      const problems = problemsOf({ env: { GATEHOUSE_PUBLIC_URL: 'https://auth.example.com' }, file });
      const problem = problems.find((p) => p.startsWith(file));
      assert.ok(problem !== undefined, problems.join('\n'));
      assert.match(problem, /not valid JSON/);
      for (const p of problems) assert.ok(!p.includes(secret.slice(0, 6)), `a problem quotes the secret: ${p}`);
    }
  });

  test('a bad integer is refused', () => {
    assertProblem(problemsOf({ env: { ...goodEnv, PORT: 'abc' } }), /^port \(PORT\): expected a whole number/);
    assertProblem(problemsOf({ env: { ...goodEnv, PORT: '80.5' } }), /^port \(PORT\): expected a whole number/);
    assertProblem(problemsOf({ env: goodEnv, file: writeJson('c.json', { port: '3000x' }) }), /^port \(config file\): expected a whole number/);
    assertProblem(problemsOf({ env: { ...goodEnv, PORT: '65536' } }), /^port \(PORT\): must be at most 65535/);
  });

  test('a minimum password length under 15 is refused (no MFA yet: 15 is the floor) (SEC-96)', () => {
    assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_PASSWORD_MIN_LENGTH: '8' } }), /^password\.minLength \(GATEHOUSE_PASSWORD_MIN_LENGTH\): must be at least 15/);
    assert.equal(loadConfig({ env: { ...goodEnv, GATEHOUSE_PASSWORD_MIN_LENGTH: '16' } }).password.minLength, 16);
  });

  test('argon2id memory below the OWASP minimum of 19456 KiB is refused (SEC-96)', () => {
    assertProblem(problemsOf({ env: { ...goodEnv, GATEHOUSE_ARGON2_MEMORY_KIB: '19455' } }), /^password\.argon2\.memoryKiB \(GATEHOUSE_ARGON2_MEMORY_KIB\): must be at least 19456/);
    assertProblem(problemsOf({ env: goodEnv, file: writeJson('c.json', { password: { argon2: { memoryKiB: 4096 } } }) }), /^password\.argon2\.memoryKiB \(config file\): must be at least 19456/);
    assert.equal(loadConfig({ env: { ...goodEnv, GATEHOUSE_ARGON2_MEMORY_KIB: '65536' } }).password.argon2.memoryKiB, 65_536);
  });

  test('an idle timeout longer than the absolute timeout is refused', () => {
    const problems = problemsOf({ env: { ...goodEnv, GATEHOUSE_SESSION_IDLE_TIMEOUT_SECONDS: '7200', GATEHOUSE_SESSION_ABSOLUTE_TIMEOUT_SECONDS: '3600' } });
    assertProblem(problems, /^session\.idleTimeoutSeconds: must not exceed/);
  });

  test('the file supplies values and the environment overrides it', () => {
    const file = writeJson('config.json', {
      publicUrl: 'https://from-file.example.com',
      port: 4000,
      secrets: [fileSecret],
      session: { idleTimeoutSeconds: 3600 },
      logLevel: 'warn',
    });
    const fromFile = loadConfig({ env: {}, file });
    assert.equal(fromFile.publicUrl, 'https://from-file.example.com');
    assert.equal(fromFile.port, 4000);
    assert.equal(fromFile.session.idleTimeoutSeconds, 3600);
    assert.deepEqual(fromFile.secrets, [fileSecret]);

    const overridden = loadConfig({ env: { PORT: '5000', GATEHOUSE_PUBLIC_URL: 'https://from-env.example.com', GATEHOUSE_LOG_LEVEL: 'error' }, file });
    assert.equal(overridden.port, 5000);
    assert.equal(overridden.publicUrl, 'https://from-env.example.com');
    assert.equal(overridden.logLevel, 'error');
    // What the environment does not set still comes from the file.
    assert.equal(overridden.session.idleTimeoutSeconds, 3600);
    assert.deepEqual(overridden.secrets, [fileSecret]);
  });

  test('the result is deeply frozen', () => {
    const config = loadConfig({ env: { ...goodEnv, GATEHOUSE_TRUSTED_PROXIES: '10.0.0.0/8' } });
    assertDeeplyFrozen(config, 'config');
    // ES modules are strict: writing to a frozen object throws instead of failing silently.
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (config.session as { idleTimeoutSeconds: number }).idleTimeoutSeconds = 1;
    }, TypeError);
    assert.throws(() => {
      (config.password.argon2 as { memoryKiB: number }).memoryKiB = 1;
    }, TypeError);
    assert.throws(() => (config.secrets as string[]).push('x'.repeat(32)), TypeError);
    assert.throws(() => (config.trustedProxies as string[]).push('0.0.0.0/0'), TypeError);
  });
});

describe('loadConfig trusted proxies', () => {
  test('IP addresses, CIDR ranges and the named ranges are accepted', () => {
    const config = loadConfig({ env: { ...goodEnv, GATEHOUSE_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,::1/128, fd00::/8,loopback,uniquelocal' } });
    assert.deepEqual(config.trustedProxies, ['10.0.0.0/8', '192.168.1.7', '::1/128', 'fd00::/8', 'loopback', 'uniquelocal']);
    assert.deepEqual(loadConfig({ env: goodEnv, file: writeJson('c.json', { trustedProxies: ['127.0.0.1', 'linklocal'] }) }).trustedProxies, ['127.0.0.1', 'linklocal']);
  });

  test('garbage, out-of-range prefixes and hostnames are refused, each named', () => {
    const problems = problemsOf({ env: { ...goodEnv, GATEHOUSE_TRUSTED_PROXIES: '10.0.0.0/8,garbage,10.0.0.0/33,::1/129,1.2.3.4/,proxy.example.com,1.2.3.4/8/8' } });
    const problem = problems.find((p) => p.startsWith('trustedProxies'));
    assert.ok(problem !== undefined, problems.join('\n'));
    for (const bad of ['garbage', '10.0.0.0/33', '::1/129', '1.2.3.4/', 'proxy.example.com', '1.2.3.4/8/8']) assert.ok(problem.includes(bad), `${bad} not named in: ${problem}`);
    assert.ok(!problem.includes('10.0.0.0/8,'), `a valid range was reported: ${problem}`);
  });

  test('a non-list value in the file is refused', () => {
    assertProblem(problemsOf({ env: goodEnv, file: writeJson('c.json', { trustedProxies: [1, 2] }) }), /^trustedProxies \(config file\): expected/);
  });
});

describe('loadConfig in dev mode', () => {
  function devEnv(extra: Record<string, string> = {}): Record<string, string> {
    return { GATEHOUSE_DATABASE: join(dir, 'data', 'gatehouse.db'), PORT: '4321', ...extra };
  }

  // docs/security.md SEC-108: dev mode shows every mail at /dev/mail, so it must not face the network.
  test('dev mode is refused unless it listens on loopback and its public URL is http://localhost or http://127.0.0.1 (SEC-108)', () => {
    assertProblem(problemsOf({ env: devEnv({ GATEHOUSE_HOST: '0.0.0.0' }), dev: true }), /^host \(GATEHOUSE_HOST\): dev mode listens on loopback only/);
    assertProblem(problemsOf({ env: devEnv({ GATEHOUSE_HOST: '::' }), dev: true }), /dev mode listens on loopback only/);
    assertProblem(problemsOf({ env: devEnv({ GATEHOUSE_PUBLIC_URL: 'https://auth.example.com' }), dev: true }), /^publicUrl \(GATEHOUSE_PUBLIC_URL\): dev mode runs at http:\/\/localhost or http:\/\/127\.0\.0\.1/);
    for (const url of ['http://localhost:4000', 'http://127.0.0.1:9', 'http://localhost']) {
      assert.equal(loadConfig({ env: devEnv({ GATEHOUSE_PUBLIC_URL: url }), dev: true }).dev, true, url);
    }
    for (const host of ['127.0.0.1', '::1', 'localhost']) assert.equal(loadConfig({ env: devEnv({ GATEHOUSE_HOST: host }), dev: true }).host, host);
  });

  test('generates a secret next to the database with mode 0600, and says so (SEC-96)', () => {
    const config = loadConfig({ env: devEnv(), dev: true });
    const secretPath = join(dir, 'data', 'dev-secret');
    assert.ok(existsSync(secretPath));
    assert.equal(statSync(secretPath).mode & 0o777, 0o600);
    const stored = readFileSync(secretPath, 'utf8').trim();
    assert.deepEqual(config.secrets, [stored]);
    assert.ok(stored.length >= 32, `the generated secret is ${stored.length} characters`);
    assert.equal(config.dev, true);
    assert.ok(config.devNotices.some((n) => /DEV MODE/.test(n)), config.devNotices.join('\n'));
    assert.ok(config.devNotices.some((n) => n.includes('generated a secret') && n.includes(secretPath)), config.devNotices.join('\n'));
  });

  test('reuses the stored secret on the next load', () => {
    const first = loadConfig({ env: devEnv(), dev: true });
    const second = loadConfig({ env: devEnv(), dev: true });
    assert.deepEqual(second.secrets, first.secrets);
    assert.ok(second.devNotices.some((n) => n.includes('using the dev secret') && n.includes(join(dir, 'data', 'dev-secret'))), second.devNotices.join('\n'));
    assert.ok(!second.devNotices.some((n) => n.includes('generated a secret')));
  });

  test('defaults the public URL to http://localhost:PORT and says so', () => {
    const config = loadConfig({ env: devEnv(), dev: true });
    assert.equal(config.publicUrl, 'http://localhost:4321');
    assert.ok(config.devNotices.some((n) => n.includes('public URL defaulted to http://localhost:4321')), config.devNotices.join('\n'));
  });

  test('GATEHOUSE_DEV=true is dev mode too', () => {
    const config = loadConfig({ env: devEnv({ GATEHOUSE_DEV: 'true' }) });
    assert.equal(config.dev, true);
    assert.equal(config.publicUrl, 'http://localhost:4321');
  });

  test('configured values win: no secret is generated when one is given', () => {
    const config = loadConfig({ env: devEnv({ GATEHOUSE_SECRET: goodSecret, GATEHOUSE_PUBLIC_URL: 'http://localhost:9999' }), dev: true });
    assert.deepEqual(config.secrets, [goodSecret]);
    assert.equal(config.publicUrl, 'http://localhost:9999');
    assert.ok(!existsSync(join(dir, 'data', 'dev-secret')));
    assert.deepEqual(config.devNotices.filter((n) => !/DEV MODE/.test(n)), []);
  });

  test('dev mode does not relax the other checks', () => {
    const problems = problemsOf({ env: devEnv({ GATEHOUSE_PASSWORD_MIN_LENGTH: '8', GATEHOUSE_PUBLIC_URL: 'http://example.com' }), dev: true });
    assertProblem(problems, /^password\.minLength/);
    assertProblem(problems, /^publicUrl .*must be https/);
  });

  test('outside dev mode nothing is generated', () => {
    problemsOf({ env: { GATEHOUSE_DATABASE: join(dir, 'data', 'gatehouse.db') } });
    assert.ok(!existsSync(join(dir, 'data', 'dev-secret')));
  });
});

describe('docs/configuration.md', () => {
  test('is exactly what configurationDocs() generates (run `gatehouse config-docs > docs/configuration.md`)', () => {
    const onDisk = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    assert.equal(onDisk, configurationDocs());
  });

  test('documents every environment variable the loader reads', () => {
    const docs = configurationDocs();
    for (const name of ['GATEHOUSE_SECRET', 'GATEHOUSE_PUBLIC_URL', 'GATEHOUSE_DATABASE', 'PORT', 'GATEHOUSE_TRUSTED_PROXIES', 'GATEHOUSE_PASSWORD_MIN_LENGTH', 'GATEHOUSE_ARGON2_MEMORY_KIB']) {
      assert.ok(docs.includes(`\`${name}\``), `${name} missing from the docs`);
    }
  });
});
