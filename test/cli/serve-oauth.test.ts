import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { cliEnv, makeTempDir, runCli } from '../support/cli-process.ts';

/**
 * A misconfigured social-login provider stops `gatehouse serve` at start-up with a message that
 * names it, never at the first login: a bad line is a configuration problem; a provider that
 * cannot be reached fails its discovery before the database is opened or a port is bound.
 */

describe('gatehouse serve with a broken OAuth provider', () => {
  const dir = makeTempDir('gatehouse-serve-oauth-');
  after(() => dir.remove());

  it('a bad provider line: exit 1, the problem listed with the setting that holds it', async () => {
    const result = await runCli(['serve'], { env: cliEnv(dir.database, { PORT: '0', GATEHOUSE_OAUTH_GOOGLE: 'no-colon-here', GATEHOUSE_OAUTH_OIDC: 'corp http://id.corp.example cid:csecret' }) });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /oauth\.google \(GATEHOUSE_OAUTH_GOOGLE\): expected client_id:client_secret/);
    assert.match(result.stderr, /oauth\.oidc\[0\] \(GATEHOUSE_OAUTH_OIDC\) corp: the issuer must be https:\/\//);
    assert.ok(!result.stderr.includes('csecret'), 'the secret is not printed');
    assert.equal(existsSync(dir.database), false, 'no database touched');
  });

  it('an unreachable provider: exit 1 naming it and the discovery URL, before the database is opened', async () => {
    const result = await runCli(['serve', '--dev'], {
      env: cliEnv(dir.database, { PORT: '0', GATEHOUSE_PUBLIC_URL: undefined, GATEHOUSE_DEMO_IDP: 'false', GATEHOUSE_OAUTH_OIDC: 'down http://127.0.0.1:9 cid:csecret' }),
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, /^gatehouse: OAuth provider "down": OpenID Connect discovery at http:\/\/127\.0\.0\.1:9 failed/m);
    assert.ok(!result.stderr.includes('    at '), `no stack trace:\n${result.stderr}`);
    assert.doesNotMatch(result.stdout, /Gatehouse is running/);
    assert.equal(existsSync(dir.database), false, 'no database opened');
  });
});
