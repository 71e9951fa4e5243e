import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchAccessRule, type AccessRule } from '../../../src/core/forward-auth/access-rules.ts';
import { checkAccess } from '../../../src/core/forward-auth/check-access.ts';
import type { SessionWithUser } from '../../../src/core/ports.ts';

const rules: AccessRule[] = [
  { origin: 'https://app.example.com', pathPrefix: '/', requirement: 'session' },
  { origin: 'https://app.example.com', pathPrefix: '/admin', requirement: 'second-factor' },
  { origin: 'https://wiki.example.com', pathPrefix: '/private', requirement: 'session' },
];

const at = (url: string): AccessRule | null => matchAccessRule(rules, new URL(url));

describe('matchAccessRule', () => {
  it('SEC-154: takes the longest path prefix on the same origin, and only whole path segments', () => {
    assert.equal(at('https://app.example.com/')?.requirement, 'session');
    assert.equal(at('https://app.example.com/admin')?.requirement, 'second-factor');
    assert.equal(at('https://app.example.com/admin/x?y')?.requirement, 'second-factor');
    assert.equal(at('https://app.example.com/administrator')?.requirement, 'session');
    assert.equal(at('https://wiki.example.com/private/page')?.pathPrefix, '/private');
  });

  it('SEC-163: a spelling a lenient app routes as /admin (encoded, ;parameter, other case, doubled slash, encoded dot-dot) cannot step out of the /admin rule', () => {
    for (const path of ['/%61dmin', '/%61%64%6D%69%6E/users', '/ADMIN', '/Admin/users', '/admin;jsessionid=x', '/admin;x/users', '/x/..//admin', '/admin%2Fusers', '/public/..%2Fadmin', '/public/..%2fAdmin;x/y']) {
      assert.equal(at(`https://app.example.com${path}`)?.requirement, 'second-factor', path);
    }
    // A spelling that leaves every rule when read leniently is refused, like any uncovered URL.
    assert.equal(at('https://wiki.example.com/private/..%2F..%2Fetc'), null);
    assert.equal(at('https://wiki.example.com/PRIVATE/page'), null);
    // Plain paths, and lenient spellings under the same rule, keep their rule.
    for (const path of ['/', '/files/a%20b', '/Reports', '/administrator', '/%61dministrator', '/admin-old;x']) assert.equal(at(`https://app.example.com${path}`)?.requirement, 'session', path);
    assert.equal(at('https://wiki.example.com/private/A%2Fb')?.pathPrefix, '/private');
  });

  it('SEC-153: nothing matches on another origin (scheme, host or port) or outside every prefix', () => {
    for (const url of ['http://app.example.com/', 'https://app.example.com:8443/', 'https://evil.example.com/', 'https://wiki.example.com/', 'https://wiki.example.com/privately']) {
      assert.equal(at(url), null, url);
    }
  });
});

describe('checkAccess', () => {
  const withAmr = (amr: string[]): SessionWithUser => ({ user: { id: 'u' }, session: { id: 's', amr } }) as unknown as SessionWithUser;
  it('needs a session, and refuses a second-factor rule to a session that did not prove one (SEC-155)', () => {
    assert.equal(checkAccess(rules[0] as AccessRule, null).kind, 'unauthenticated');
    assert.equal(checkAccess(rules[0] as AccessRule, withAmr(['pwd'])).kind, 'allowed');
    for (const amr of [[], ['pwd'], ['otp'], ['pwd', 'otp'], ['fed'], ['hwk', 'user']]) assert.equal(checkAccess(rules[1] as AccessRule, withAmr(amr)).kind, 'step_up_required', amr.join(' '));
    assert.equal(checkAccess(rules[1] as AccessRule, withAmr(['mfa', 'otp', 'pwd'])).kind, 'allowed');
    assert.equal(checkAccess(rules[1] as AccessRule, null).kind, 'unauthenticated');
  });
});
