import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';
import { ProviderSetupError } from '../../src/core/oauth-client/connect-provider.ts';
import { createOAuthDeps } from '../../src/main.ts';

/**
 * One line per provider: the Google and GitHub presets take `client_id:client_secret`, any
 * OpenID Connect provider its issuer too. Google is configuration only here: its endpoints come
 * from discovery at start-up, and tests never reach the internet.
 */

const secret = randomBytes(32).toString('base64url');
const base = { GATEHOUSE_SECRET: secret, GATEHOUSE_PUBLIC_URL: 'https://auth.example.com' };

function problems(env: Record<string, string>, dev = false): readonly string[] {
  try {
    loadConfig({ env: { ...base, ...env }, ...(dev ? { dev: true } : {}) });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('OAuth provider configuration', () => {
  it('no provider is configured by default', () => {
    assert.deepEqual(loadConfig({ env: base }).oauth.providers, []);
  });

  it('GATEHOUSE_OAUTH_GOOGLE=client_id:client_secret is the Google preset (issuer https://accounts.google.com, openid email profile)', () => {
    const config = loadConfig({ env: { ...base, GATEHOUSE_OAUTH_GOOGLE: '1234-abc.apps.googleusercontent.com:GOCSPX-s3cr:et' } });
    assert.deepEqual(config.oauth.providers, [
      { id: 'google', kind: 'oidc', displayName: 'Google', issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'], clientId: '1234-abc.apps.googleusercontent.com', clientSecret: 'GOCSPX-s3cr:et' },
    ]);
  });

  it('GATEHOUSE_OAUTH_GITHUB=client_id:client_secret is the GitHub preset', () => {
    const [github] = loadConfig({ env: { ...base, GATEHOUSE_OAUTH_GITHUB: 'Iv1.abc:def' } }).oauth.providers;
    assert.deepEqual(github, { id: 'github', kind: 'github', displayName: 'GitHub', issuer: 'https://github.com', scopes: ['read:user', 'user:email'], clientId: 'Iv1.abc', clientSecret: 'def' });
  });

  it('a generic OpenID Connect provider is one entry: id, issuer, credentials, optional name and scope', () => {
    const config = loadConfig({
      env: { ...base, GATEHOUSE_OAUTH_OIDC: 'okta https://dev-1.okta.com/oauth2/default 0oa1:s3cret name=Okta+Workforce scope=openid+email, keycloak https://sso.example.com/realms/main kc:pw' },
    });
    assert.deepEqual(config.oauth.providers, [
      { id: 'okta', kind: 'oidc', displayName: 'Okta Workforce', issuer: 'https://dev-1.okta.com/oauth2/default', clientId: '0oa1', clientSecret: 's3cret', scopes: ['openid', 'email'] },
      { id: 'keycloak', kind: 'oidc', displayName: 'keycloak', issuer: 'https://sso.example.com/realms/main', clientId: 'kc', clientSecret: 'pw', scopes: ['openid', 'email', 'profile'] },
    ]);
  });

  it('the config file takes the same values (oauth.google, oauth.oidc as an array)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-oauth-config-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ oauth: { google: 'gid:gsecret', oidc: ['corp https://id.corp.example cid:csecret'], linkVerifiedEmails: true } }));
      const config = loadConfig({ env: base, file });
      assert.deepEqual(config.oauth.providers.map((p) => p.id), ['google', 'corp']);
      assert.equal(config.oauth.linkVerifiedEmails, true);
      assert.equal(config.oauth.keepProviderTokens, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every mistake is listed at start-up, naming the provider, without printing a secret (SEC-95)', () => {
    const found = problems({
      GATEHOUSE_OAUTH_GOOGLE: 'only-an-id',
      GATEHOUSE_OAUTH_GITHUB: ':no-id',
      GATEHOUSE_OAUTH_OIDC: 'Bad_Id https://x.example a:b, plain http://idp.example.com a:very-secret-value, noscope https://y.example a:b scope=email, weird https://z.example a:b colour=blue, dup https://d.example a:b, dup https://e.example a:b, q https://q.example/?x=1 a:b, nocreds https://n.example',
    });
    const expected = [
      /oauth\.google \(GATEHOUSE_OAUTH_GOOGLE\): expected client_id:client_secret/,
      /oauth\.github \(GATEHOUSE_OAUTH_GITHUB\): expected client_id:client_secret/,
      /oauth\.oidc\[0\].*lowercase letters/,
      /oauth\.oidc\[1\].*plain.*must be https:\/\//,
      /oauth\.oidc\[2\].*noscope: scope must include openid/,
      /oauth\.oidc\[3\].*weird: unknown option "colour"/,
      /oauth\.oidc\[5\].*"dup" is used twice/,
      /oauth\.oidc\[6\].*q: an issuer has no query/,
      /oauth\.oidc\[7\].*nocreds: expected client_id:client_secret/,
    ];
    for (const pattern of expected) assert.ok(found.some((p) => pattern.test(p)), `${String(pattern)} in:\n${found.join('\n')}`);
    assert.ok(!found.join('\n').includes('very-secret-value'));
  });

  it('auth= forces the token-endpoint authentication; key= reads the private key file; without a secret only with a key or auth=none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-oauth-key-'));
    try {
      const keyFile = join(dir, 'client.pem');
      writeFileSync(keyFile, '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n-----END PRIVATE KEY-----\n');
      const config = loadConfig({
        env: {
          ...base,
          GATEHOUSE_OAUTH_OIDC: `post https://p.example app:s auth=client_secret_post, keyed https://k.example app key=${encodeURIComponent(keyFile)}, public https://n.example spa auth=none`,
        },
      });
      const [post, keyed, open] = config.oauth.providers;
      assert.equal(post?.clientAuthMethod, 'client_secret_post');
      assert.equal(post?.clientSecret, 's');
      assert.deepEqual([keyed?.clientId, keyed?.clientSecret, keyed?.clientAuthMethod], ['app', '', undefined]);
      assert.match(keyed?.privateKey ?? '', /BEGIN PRIVATE KEY/);
      assert.deepEqual([open?.clientId, open?.clientSecret, open?.clientAuthMethod], ['spa', '', 'none']);

      const found = problems({ GATEHOUSE_OAUTH_OIDC: `a https://a.example app:s auth=magic, b https://b.example app key=${encodeURIComponent(join(dir, 'missing.pem'))}, c https://c.example app` });
      for (const pattern of [/oauth\.oidc\[0\].*a: auth must be one of client_secret_basic, client_secret_post, private_key_jwt, none/, /oauth\.oidc\[1\].*b: the private key file .*missing\.pem cannot be read \(ENOENT\)/, /oauth\.oidc\[2\].*c: expected client_id:client_secret/]) {
        assert.ok(found.some((p) => pattern.test(p)), `${String(pattern)} in:\n${found.join('\n')}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an http issuer is accepted only on loopback in dev mode (SEC-65)', () => {
    assert.ok(problems({ GATEHOUSE_OAUTH_OIDC: 'local http://127.0.0.1:4000 a:b' }).some((p) => /must be https/.test(p)));
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-oauth-dev-'));
    try {
      const dev = loadConfig({ env: { GATEHOUSE_DATABASE: join(dir, 'db.sqlite'), GATEHOUSE_OAUTH_OIDC: 'local http://127.0.0.1:4000 a:b' }, dev: true });
      assert.equal(dev.oauth.providers[0]?.issuer, 'http://127.0.0.1:4000');
      assert.ok(problems({ GATEHOUSE_DATABASE: join(dir, 'db.sqlite'), GATEHOUSE_OAUTH_OIDC: 'lan http://192.168.1.5 a:b' }, true).some((p) => /must be https/.test(p)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a provider that cannot be reached stops start-up with its name and the reason, not at the first login (SEC-65)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-oauth-down-'));
    try {
      // Port 9 (discard) on loopback: nothing listens, so discovery fails at once, offline.
      const config = loadConfig({ env: { GATEHOUSE_DATABASE: join(dir, 'db.sqlite'), GATEHOUSE_OAUTH_OIDC: 'down http://127.0.0.1:9 a:b' }, dev: true });
      await assert.rejects(createOAuthDeps(config), (error: unknown) => {
        assert.ok(error instanceof ProviderSetupError);
        assert.match(error.message, /^OAuth provider "down": OpenID Connect discovery at http:\/\/127\.0\.0\.1:9 failed/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Google and GitHub need only their one line; oauth settings are documented', () => {
    const config = loadConfig({ env: { ...base, GATEHOUSE_OAUTH_GOOGLE: 'g:s', GATEHOUSE_OAUTH_GITHUB: 'h:t' } });
    assert.deepEqual(config.oauth.providers.map((p) => [p.id, p.issuer]), [['google', 'https://accounts.google.com'], ['github', 'https://github.com']]);
    assert.ok(Object.isFrozen(config.oauth.providers[0]));
  });
});
