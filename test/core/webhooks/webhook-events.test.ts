import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent, AuditEventType } from '../../../src/core/ports.ts';
import { sessionEndedEvent, webhookEventFromAudit, webhookEventTypes, webhookPayload } from '../../../src/core/webhooks/webhook-events.ts';

const audit = (type: AuditEventType, detail: string | null = null): AuditEvent => ({ id: 'a1', atMs: 1_767_225_600_000, type, userId: 'u1', email: 'ada@example.com', ip: '203.0.113.7', userAgent: 'ua', detail, actorId: null });

describe('webhookEventFromAudit', () => {
  it('maps the audit trail onto every webhook event type', () => {
    const cases: [AuditEvent, string, Record<string, unknown>][] = [
      [audit('user.signed_up'), 'user.created', {}],
      [audit('account.deleted', 'by operator'), 'user.deleted', { by_operator: true }],
      [audit('account.disabled', 'ended 2 sessions'), 'user.disabled', {}],
      [audit('email.verified'), 'user.email_verified', {}],
      [audit('login.succeeded', 'session s1 (password)'), 'login.succeeded', { session_id: 's1', method: 'password' }],
      [audit('login.succeeded', 'oauth github session s2'), 'login.succeeded', { session_id: 's2', method: 'oauth:github' }],
      [audit('login.failed', 'wrong_password'), 'login.failed', { reason: 'wrong_password', method: 'password' }],
      [audit('oauth.login_failed', 'demo: denied'), 'login.failed', { method: 'oauth' }],
      [audit('second_factor.failed', 'totp'), 'login.failed', { reason: 'second_factor', method: 'totp' }],
      [audit('password.changed'), 'password.changed', { via: 'change' }],
      [audit('password.reset'), 'password.changed', { via: 'reset' }],
      [audit('totp.enabled'), 'two_factor.changed', { factor: 'totp', change: 'enabled' }],
      [audit('passkey.removed', 'pk1'), 'two_factor.changed', { factor: 'passkey', change: 'removed' }],
      [audit('oauth.identity_linked', 'github 123'), 'identity.linked', { provider: 'github' }],
      [audit('oauth.identity_unlinked', 'google 9'), 'identity.unlinked', { provider: 'google' }],
    ];
    const seen = new Set<string>(['session.ended']);
    for (const [event, type, data] of cases) {
      const hook = webhookEventFromAudit(event);
      assert.equal(hook?.type, type, event.type);
      for (const [key, value] of Object.entries(data)) assert.equal(hook?.data[key], value, `${event.type} ${key}`);
      assert.deepEqual([hook?.data.user_id, hook?.data.ip, hook?.atMs], ['u1', '203.0.113.7', event.atMs]);
      seen.add(type);
    }
    assert.deepEqual([...seen].sort(), [...webhookEventTypes].sort(), 'every event type has a source');
    assert.equal(webhookEventFromAudit(audit('reauth.succeeded')), null);
  });

  it('session.ended comes from a session revocation, not a token one', () => {
    const entry = { sid: 's1', jti: null, expiresAtMs: 2, createdAtMs: 1, reason: 'password_changed' };
    assert.deepEqual(sessionEndedEvent(entry, 'u1'), { type: 'session.ended', atMs: 1, data: { session_id: 's1', user_id: 'u1', cause: 'password_changed' } });
    assert.equal(sessionEndedEvent({ ...entry, sid: null, jti: 'j1' }, null), null);
  });

  it('the body has the Standard Webhooks shape', () => {
    assert.deepEqual(JSON.parse(webhookPayload({ type: 'user.created', atMs: 0, data: { user_id: 'u1' } })), { type: 'user.created', timestamp: '1970-01-01T00:00:00.000Z', data: { user_id: 'u1' } });
  });
});
