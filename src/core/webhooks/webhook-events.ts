import type { AuditEvent, Revocation } from '../ports.ts';

/** The events a webhook endpoint can subscribe to. */
export const webhookEventTypes = [
  'user.created',
  'user.deleted',
  'user.disabled',
  'user.email_verified',
  'login.succeeded',
  'login.failed',
  'session.ended',
  'password.changed',
  'two_factor.changed',
  'identity.linked',
  'identity.unlinked',
] as const;

export type WebhookEventType = (typeof webhookEventTypes)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (webhookEventTypes as readonly string[]).includes(value);
}

/** What an event says: the body's `data`. Never a secret: ids, the email, the IP and short reasons. */
export type WebhookData = Record<string, string | boolean | null>;

export interface WebhookEvent {
  type: WebhookEventType;
  atMs: number;
  data: WebhookData;
}

/** `session abc (password)` -> abc: the session id the audit detail names, if any. */
function sessionIdIn(detail: string | null): string | null {
  return /\bsession (\S+)/.exec(detail ?? '')?.[1] ?? null;
}

function loginMethod(detail: string | null): string | null {
  const oauth = /^oauth (\S+)/.exec(detail ?? '');
  if (oauth !== null) return `oauth:${oauth[1] as string}`;
  return /\(([^)]+)\)\s*$/.exec(detail ?? '')?.[1] ?? null;
}

const twoFactorChanges: Partial<Record<AuditEvent['type'], { factor: string; change: string }>> = {
  'totp.enabled': { factor: 'totp', change: 'enabled' },
  'totp.disabled': { factor: 'totp', change: 'disabled' },
  'recovery_codes.generated': { factor: 'recovery_codes', change: 'generated' },
  'passkey.registered': { factor: 'passkey', change: 'added' },
  'passkey.removed': { factor: 'passkey', change: 'removed' },
};

/**
 * The webhook event an audit entry stands for, or null. Webhooks are derived from the audit
 * trail, so every operation that audits also notifies, in the same transaction
 * (core/webhooks/with-webhook-events.ts), and no operation needs to remember to.
 */
export function webhookEventFromAudit(event: AuditEvent): WebhookEvent | null {
  // actor_id: the operator who did it from the console, when it was not the user.
  const who = { user_id: event.userId, email: event.email, ip: event.ip, user_agent: event.userAgent, actor_id: event.actorId };
  const at = (type: WebhookEventType, data: WebhookData): WebhookEvent => ({ type, atMs: event.atMs, data: { ...who, ...data } });
  const twoFactor = twoFactorChanges[event.type];
  if (twoFactor !== undefined) return at('two_factor.changed', twoFactor);
  switch (event.type) {
    case 'user.signed_up':
      return at('user.created', { via: event.detail });
    case 'account.deleted':
      return at('user.deleted', { by_operator: event.detail === 'by operator' });
    case 'account.disabled':
      return at('user.disabled', {});
    case 'email.verified':
      return at('user.email_verified', {});
    case 'login.succeeded':
      return at('login.succeeded', { session_id: sessionIdIn(event.detail), method: loginMethod(event.detail) });
    case 'login.failed':
    case 'oauth.login_failed':
      return at('login.failed', { reason: event.detail, method: event.type === 'oauth.login_failed' ? 'oauth' : 'password' });
    case 'second_factor.failed':
      return at('login.failed', { reason: 'second_factor', method: event.detail });
    case 'password.changed':
      return at('password.changed', { via: 'change' });
    case 'password.reset':
      return at('password.changed', { via: 'reset' });
    case 'oauth.identity_linked':
      return at('identity.linked', { provider: /^([^\s:]+)/.exec(event.detail ?? '')?.[1] ?? null });
    case 'oauth.identity_unlinked':
      return at('identity.unlinked', { provider: /^([^\s:]+)/.exec(event.detail ?? '')?.[1] ?? null });
    default:
      return null;
  }
}

/**
 * `session.ended` comes from the revocation feed, not the audit: every way a session ends
 * (core/sessions/end-sessions.ts) appends a revocation of its `sid` with the cause, while the
 * audit names only some of the sessions (a password change ends all of them in one entry).
 */
export function sessionEndedEvent(revocation: Omit<Revocation, 'seq'>, userId: string | null): WebhookEvent | null {
  if (revocation.sid === null) return null;
  return { type: 'session.ended', atMs: revocation.createdAtMs, data: { session_id: revocation.sid, user_id: userId, cause: revocation.reason } };
}

/** The body a receiver gets, in the Standard Webhooks shape: `type`, `timestamp`, `data`. */
export function webhookPayload(event: WebhookEvent): string {
  return JSON.stringify({ type: event.type, timestamp: new Date(event.atMs).toISOString(), data: event.data });
}
