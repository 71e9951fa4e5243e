import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import { inspectorPageContentSecurityPolicy } from '../../../src/http/inspector/inspector-routes.ts';
import { startTestServer, type TestServer } from '../../support/start-server.ts';

/** The inspector's routes on a real server: dev mode shows them, production hides or guards them. */

const passphrase = 'copper lantern drifting over quiet hills';

interface PresentedStep {
  kind: string;
  title: string;
  outcome: string;
  detail: Record<string, unknown>;
  teach: { cite: string; url: string; why: string } | null;
}
interface PresentedTrace {
  seq: number;
  flowId: string;
  label: string;
  status: number | null;
  steps: PresentedStep[];
}

async function signUpAndLogIn(url: string, email: string, headers: Record<string, string> = {}): Promise<string> {
  const signup = await fetch(`${url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password: passphrase }) });
  assert.equal(signup.status, 202);
  const login = await fetch(`${url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password: passphrase }) });
  assert.equal(login.status, 200, await login.clone().text());
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_session='));
  assert.ok(cookie !== undefined);
  return cookie.split(';')[0] as string;
}

describe('inspector in dev mode', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { GATEHOUSE_DEV: 'true' } });
  });
  after(() => server.close());

  test('a login is traced: request, storage, cookie with attributes, newest first in JSON', async () => {
    const email = `inspect-${randomUUID()}@example.com`;
    const cookie = await signUpAndLogIn(server.url, email);
    const check = await fetch(`${server.url}/v1/session`, { headers: { cookie } });
    assert.equal(check.status, 200);
    const response = await fetch(`${server.url}/dev/inspector/traces?limit=5`);
    assert.equal(response.status, 200);
    const { traces } = (await response.json()) as { traces: PresentedTrace[] };
    assert.equal(traces[0]?.label, 'GET /v1/session');
    assert.ok(traces[0].seq > (traces[1]?.seq ?? 0), 'newest first');
    const login = traces.find((t) => t.label === 'POST /v1/session');
    assert.ok(login !== undefined);
    assert.equal(login.steps[0]?.kind, 'request');
    assert.deepEqual(login.steps[0]?.detail.cookiesArrived, []);
    const set = login.steps.find((s) => s.kind === 'cookie' && s.title === 'Cookie set: __Host-gatehouse_session');
    assert.ok(set !== undefined, JSON.stringify(login.steps.map((s) => s.title)));
    const attributes = (set.detail.attributes as Array<{ attribute: string; why: string }>).map((a) => a.attribute);
    assert.ok(attributes.includes('HttpOnly') && attributes.includes('Secure') && attributes.includes('SameSite=Lax') && attributes.includes('Path=/'), attributes.join(', '));
    assert.ok(login.steps.some((s) => s.kind === 'storage' && s.title === 'sessions.create'));
    assert.equal(login.steps.at(-1)?.kind, 'response');
    assert.equal(traces[0]?.steps[0]?.detail.cookiesArrived instanceof Array, true);
  });

  test('the flow id is a fresh random value per browser, kept by its cookie, and a forged one is not believed (SEC-252)', async () => {
    const first = await fetch(`${server.url}/v1/session`);
    const second = await fetch(`${server.url}/v1/session`);
    const flowOf = (response: Response): string => /__Host-gatehouse_flow=([^;]+)/.exec(response.headers.getSetCookie().join('\n'))?.[1] ?? '';
    const a = flowOf(first);
    assert.match(a, /^[A-Za-z0-9_-]{16}$/);
    assert.notEqual(a, flowOf(second));
    assert.match(first.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_flow='))!, /; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const kept = await fetch(`${server.url}/v1/session`, { headers: { cookie: `__Host-gatehouse_flow=${a}` } });
    assert.equal(flowOf(kept), '', 'not set again');
    const forged = await fetch(`${server.url}/v1/session`, { headers: { cookie: '__Host-gatehouse_flow=<script>' } });
    assert.match(flowOf(forged), /^[A-Za-z0-9_-]{16}$/);
    const { traces } = (await (await fetch(`${server.url}/dev/inspector/traces?limit=2`)).json()) as { traces: PresentedTrace[] };
    assert.equal(traces[1]?.flowId, a);
    assert.notEqual(traces[0]?.flowId, '<script>');
  });

  test('the limit is bounded and validated', async () => {
    assert.equal((await fetch(`${server.url}/dev/inspector/traces?limit=abc`)).status, 400);
    const { traces } = (await (await fetch(`${server.url}/dev/inspector/traces?limit=1`)).json()) as { traces: PresentedTrace[] };
    assert.equal(traces.length, 1);
  });

  test('the page lists the last traces without JavaScript, under a CSP that allows only our own script (SEC-254)', async () => {
    const response = await fetch(`${server.url}/dev/inspector`);
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const body = await response.text();
    assert.match(body, /<script src="\/assets\/inspector.js" defer><\/script>/);
    assert.match(body, /POST \/v1\/session/);
    assert.match(body, /data-stream="\/dev\/inspector\/stream"/);
    assert.equal((await fetch(`${server.url}/assets/inspector.js`)).status, 200);
  });

  test('the stream sends each new trace as a Server-Sent Event', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/dev/inspector/stream`, { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    let received = '';
    const decoder = new TextDecoder();
    while (!received.includes('event: ready')) received += decoder.decode((await reader.read()).value);
    await fetch(`${server.url}/v1/session`);
    while (!received.includes('event: trace')) received += decoder.decode((await reader.read()).value);
    controller.abort();
    const data = /event: trace\ndata: (.*)\n/.exec(received)?.[1];
    const parsed = JSON.parse(data ?? '{}') as { trace: PresentedTrace; html: string };
    assert.equal(parsed.trace.label, 'GET /v1/session');
    assert.match(parsed.html, /<article class="card trace"/);
  });
});

describe('inspector in production', () => {
  test('absent by default (SEC-253)', async () => {
    const server = await startTestServer();
    try {
      for (const path of ['/dev/inspector', '/dev/inspector/traces', '/dev/inspector/stream', '/admin/inspector/traces', '/admin/inspector/stream']) assert.equal((await fetch(`${server.url}${path}`)).status, 404, path);
      const response = await fetch(`${server.url}/v1/session`);
      assert.equal(response.headers.getSetCookie().length, 0, 'no flow cookie when off');
    } finally {
      await server.close();
    }
  });

  test('`on` is refused outside dev mode', async () => {
    await assert.rejects(startTestServer({ env: { GATEHOUSE_INSPECTOR: 'on' } }), /GATEHOUSE_INSPECTOR/);
  });

  test('with `admins`, it lives in the console at /admin/inspector: only a signed-in operator with a second factor gets in; a non-operator and a signed-out visitor get a 404 (SEC-253)', async () => {
    const server = await startTestServer({ env: { GATEHOUSE_INSPECTOR: 'admins' } });
    const paths = ['/admin/inspector', '/admin/inspector/traces', '/admin/inspector/stream', '/admin/inspector/compare'];
    try {
      const email = `operator-${randomUUID()}@example.com`;
      const cookie = await signUpAndLogIn(server.url, email);
      for (const path of paths) {
        const response = await fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' });
        assert.equal(response.status, 404, path);
        assert.equal(((await response.json()) as { code: string }).code, 'not_found');
        assert.equal((await fetch(`${server.url}${path}`, { redirect: 'manual' })).status, 404, `${path} signed out`);
      }
      const user = await server.gatehouse.store.users.findByEmail(email);
      await server.gatehouse.store.operators.setOperatorSince(user!.id, Date.now());
      const json = { 'content-type': 'application/json', cookie };
      const started = (await (await fetch(`${server.url}/v1/me/two-factor/totp`, { method: 'POST', headers: json, body: JSON.stringify({ password: passphrase }) })).json()) as { secret: string };
      const confirmed = await fetch(`${server.url}/v1/me/two-factor/totp/confirm`, { method: 'POST', headers: json, body: JSON.stringify({ code: totpCodeAt(started.secret, Date.now()), password: passphrase }) });
      assert.equal(confirmed.status, 200, await confirmed.clone().text());
      // The console wants a session that used the second factor (SEC-167): log in again, with the password and a recovery code.
      const { recoveryCodes } = (await confirmed.json()) as { recoveryCodes: string[] };
      const pending = await fetch(`${server.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: passphrase }) });
      const pendingCookie = pending.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      const secondStep = await fetch(`${server.url}/v1/session/second-factor`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: pendingCookie }, body: JSON.stringify({ recoveryCode: recoveryCodes[0] }) });
      assert.equal(secondStep.status, 200, await secondStep.clone().text());
      const after = secondStep.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_session='))?.split(';')[0] ?? cookie;
      const page = await fetch(`${server.url}/admin/inspector`, { headers: { cookie: after }, redirect: 'manual' });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-security-policy'), inspectorPageContentSecurityPolicy);
      const text = await page.text();
      assert.match(text, /POST \/v1\/me\/two-factor\/totp\/confirm/);
      assert.match(text, /<nav class="console-nav"[^]*<a href="\/admin\/inspector" aria-current="page">Inspector<\/a>/, 'inside the console, its nav entry current');
      assert.match(text, /data-stream="\/admin\/inspector\/stream"/, 'the script follows the stream at the console path');
      assert.equal((await fetch(`${server.url}/admin/inspector/traces?limit=5`, { headers: { cookie: after } })).status, 200);
      const compare = await fetch(`${server.url}/admin/inspector/compare`, { headers: { cookie: after } });
      assert.equal(compare.status, 200);
      assert.match(await compare.text(), /action="\/admin\/inspector\/compare"/);
      // Not at the dev path, even for the operator: one place, inside the console.
      for (const path of ['/dev/inspector', '/dev/inspector/traces', '/dev/inspector/stream', '/dev/inspector/compare']) {
        assert.equal((await fetch(`${server.url}${path}`, { headers: { cookie: after }, redirect: 'manual' })).status, 404, path);
      }
    } finally {
      await server.close();
    }
  });
});
