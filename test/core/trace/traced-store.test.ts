import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceStep } from '../../../src/core/trace/ports.ts';
import { tracedStore } from '../../../src/core/trace/traced-store.ts';
import { generateSessionToken } from '../../../src/core/sessions/session-token.ts';
import { systemRandom } from '../../../src/core/clock.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';

test('every repository call is a storage step; hashes as sha256 and 8 hex digits, secrets and unlisted strings by name only (SEC-250, SEC-255)', async () => {
  const steps: TraceStep[] = [];
  const store = tracedStore(createMemoryStore(), { recording: true, step: (step) => steps.push(step) });
  const passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$dGFndGFndGFndGFndGFndGFndGFndGFndGFn';
  await store.users.create({ id: 'u1', email: 'a@example.com', passwordHash, createdAtMs: 1, updatedAtMs: 1, disabledAtMs: null });
  const { id, token, secretHash } = generateSessionToken(systemRandom);
  await store.transaction(async (tx) => {
    await tx.sessions.create({ id, userId: 'u1', secretHash, createdAtMs: 1, lastSeenAtMs: 1, expiresAtMs: 2, userAgent: 'secret agent', ip: '127.0.0.1', authTimeMs: 1, amr: ['pwd'] });
  });
  assert.ok((await store.sessions.findWithUser(id)) !== null);

  assert.deepEqual(steps.map((s) => s.title), ['users.create', 'sessions.create', 'sessions.findWithUser']);
  const text = JSON.stringify(steps);
  assert.ok(!text.includes(token.split('.')[1] as string), 'no session secret');
  assert.ok(!text.includes(passwordHash) && !text.includes('c2FsdHNhbHRzYWx0'), 'no password hash');
  assert.ok(!text.includes('secret agent'), 'strings not on the allowlist appear by name only');
  const created = steps[1]?.detail?.arguments as Array<Record<string, unknown>>;
  assert.equal(created[0]?.secretHash, `sha256:${Buffer.from(secretHash.subarray(0, 4)).toString('hex')}`);
  assert.equal((steps[0]?.detail?.arguments as Array<Record<string, unknown>>)[0]?.passwordHash, 'argon2id hash');
  assert.equal(steps[2]?.detail?.result, 'a row', 'results are summarised, never shown');
});
