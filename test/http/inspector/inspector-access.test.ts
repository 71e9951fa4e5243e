// docs/security.md SEC-257: an open inspector stream (GATEHOUSE_INSPECTOR=admins) outlives the request
// that passed the operator check, so it checks again while it runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { revokeOperator } from '../../../src/core/operators/set-operator.ts';
import { createTraceLog } from '../../../src/core/trace/trace-log.ts';
import { createRequestRecorder } from '../../../src/http/inspector/request-recorder.ts';
import { testContext, testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, withSession, type TestApp } from '../../support/http-app.ts';
import { makeConsoleOperator } from '../../support/operators.ts';

/**
 * An operator's stream, opened over real HTTP and read until the server said `ready` (so it passed
 * the door), and a promise that settles when the server ends it (never, unless it does).
 */
async function openStream(t: TestApp, email: string): Promise<{ token: string; userId: string; ended: Promise<string> }> {
  const token = await signUpThroughApi(t.app, email, testPassword);
  const userId = (await t.core.store.users.findByEmail(email))!.id;
  await makeConsoleOperator(t.core, userId);
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const response = await fetch(`${address}/admin/inspector/stream`, { headers: withSession(token) });
  assert.equal(response.status, 200, 'the stream was let in first');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('event: ready')) {
    const { value, done } = await reader.read();
    if (done) assert.fail('the stream ended before it was ready');
    text += decoder.decode(value, { stream: true });
  }
  const ended = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { token, userId, ended };
}

/** Hang guard only: the stream must end; how fast is not asserted. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: the stream did not end`)), 20_000);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

describe('the inspector stream with admins', () => {
  const app = () => createTestApp({ inspector: { recorder: createRequestRecorder(createTraceLog({ nowMs: () => 0 })), audience: 'operators', accessRecheckMs: 20 } });

  it('ends when the operator logs out, so a signed-out (or stolen, then revoked) session stops receiving logins (SEC-257)', async () => {
    const t = await app();
    try {
      const { token, ended } = await openStream(t, 'watcher-1@example.com');
      const logout = await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { ...withSession(token), origin: sameOriginJson.origin } });
      assert.ok(logout.statusCode < 300, logout.body);
      assert.match(await within(ended, 'after logout'), /event: ready/);
    } finally {
      await t.close();
    }
  });

  it('ends when the operator rights are revoked (SEC-257)', async () => {
    const t = await app();
    try {
      const { userId, ended } = await openStream(t, 'watcher-2@example.com');
      await revokeOperator(t.core, userId, testContext('cli', 'gatehouse-cli'));
      await within(ended, 'after the rights were revoked');
    } finally {
      await t.close();
    }
  });

  it('ends when the console goes idle past its lock, however long the page stays open (SEC-257)', async () => {
    const t = await app();
    try {
      const { ended } = await openStream(t, 'watcher-3@example.com');
      t.core.clock.advance(t.core.sessionPolicy.consoleIdleTimeoutMs + 1000);
      await within(ended, 'after the console lock');
    } finally {
      await t.close();
    }
  });
});
