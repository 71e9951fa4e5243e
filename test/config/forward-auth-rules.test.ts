import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAccessRule } from '../../src/config/forward-auth-rules.ts';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

const base = { GATEHOUSE_SECRET: 'Zr8pQ2vL6tN0xB4mW9cK3hF7jD1sG5aY', GATEHOUSE_PUBLIC_URL: 'https://auth.example.com' };

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env: { ...base, ...env } });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('forward-auth rules in the configuration', () => {
  it('parses origin, path prefix and requirement (session by default)', () => {
    assert.deepEqual(parseAccessRule('https://app.example.com'), { origin: 'https://app.example.com', pathPrefix: '/', requirement: 'session' });
    assert.deepEqual(parseAccessRule('https://app.example.com/admin/ second-factor'), { origin: 'https://app.example.com', pathPrefix: '/admin', requirement: 'second-factor' });
  });

  it('refuses what it cannot compare exactly: other schemes, queries, users, unnormalized spellings, unknown requirements', () => {
    for (const entry of ['ftp://app.example.com', 'https://app.example.com/?a=1', 'https://u@app.example.com', 'https://APP.example.com', 'https://app.example.com:443/x', 'https://app.example.com/a/../b', 'https://app.example.com role:admin', 'https://app.example.com session extra', 'not a url']) {
      assert.equal(typeof parseAccessRule(entry), 'string', entry);
    }
  });

  it('loads rules whose origins may be returned to, and lists every problem at once', () => {
    const config = loadConfig({ env: { ...base, GATEHOUSE_ALLOWED_RETURN_ORIGINS: 'https://app.example.com', GATEHOUSE_FORWARD_AUTH_RULES: 'https://app.example.com, https://app.example.com/admin second-factor, https://auth.example.com/x' } });
    assert.equal(config.forwardAuth.accessRules.length, 3);
    assert.equal(config.forwardAuth.mode, 'status');
    const found = problems({ GATEHOUSE_FORWARD_AUTH_RULES: 'https://other.example.com, https://auth.example.com/x, https://auth.example.com/x/', GATEHOUSE_FORWARD_AUTH_MODE: 'teapot' });
    assert.equal(found.length, 3, found.join('\n'));
    assert.match(found.join('\n'), /other\.example\.com must also be listed in allowedReturnOrigins/);
    assert.match(found.join('\n'), /listed twice/);
    assert.match(found.join('\n'), /forwardAuth\.mode: must be status or redirect/);
  });
});

describe('session.cookieDomain (SEC-158)', () => {
  it('SEC-158: accepts the public host or a parent domain, and refuses one that does not cover it, an IP or a single label', () => {
    assert.equal(loadConfig({ env: { ...base, GATEHOUSE_SESSION_COOKIE_DOMAIN: '.example.com' } }).session.cookieDomain, 'example.com');
    assert.equal(loadConfig({ env: { ...base, GATEHOUSE_SESSION_COOKIE_DOMAIN: 'auth.example.com' } }).session.cookieDomain, 'auth.example.com');
    assert.equal(loadConfig({ env: base }).session.cookieDomain, '');
    for (const domain of ['other.com', 'xample.com', 'com', '127.0.0.1', 'Example.com', 'example.com:443']) {
      assert.equal(problems({ GATEHOUSE_SESSION_COOKIE_DOMAIN: domain }).length, 1, domain);
    }
  });
});
