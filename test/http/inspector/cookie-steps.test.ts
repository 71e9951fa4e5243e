import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cookieStep } from '../../../src/http/inspector/cookie-steps.ts';

test('a Set-Cookie becomes its name and attributes with a reason each, never its value (SEC-251)', () => {
  const value = 'abcdefghijklmnopqrstuv.SECRETSECRETSECRETSECRETSECRETSECRETSECRET';
  const step = cookieStep(`__Host-gatehouse_session=${value}; Path=/; Expires=Sun, 06 Dec 2099 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax`, 0);
  assert.equal(step.kind, 'cookie');
  assert.equal(step.title, 'Cookie set: __Host-gatehouse_session');
  assert.ok(!JSON.stringify(step).includes('SECRET'), 'no value');
  const attributes = step.detail?.attributes as Array<{ attribute: string; why: string }>;
  assert.deepEqual(attributes.map((a) => a.attribute), ['__Host- prefix', 'Path=/', 'Expires=Sun, 06 Dec 2099 00:00:00 GMT', 'HttpOnly', 'Secure', 'SameSite=Lax']);
  assert.ok(attributes.every((a) => a.why.length > 0));
  assert.match(String(step.detail?.purpose), /Lax, so following a link/);
});

test('a cleared cookie and a Strict one say so', () => {
  const strict = cookieStep('__Host-gatehouse_refresh_web=tok; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict', 0);
  assert.equal(strict.title, 'Cookie cleared: __Host-gatehouse_refresh_web');
  const sameSite = (strict.detail?.attributes as Array<{ attribute: string; why: string }>).find((a) => a.attribute === 'SameSite=Strict');
  assert.match(sameSite?.why ?? '', /never sent on any cross-site request/);
});
