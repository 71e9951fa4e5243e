/** The storage port of the audit log. */

export type AuditEventType =
  | 'user.signed_up'
  | 'login.succeeded'
  | 'login.failed'
  | 'logout'
  | 'session.revoked'
  | 'password.changed'
  | 'account.deleted'
  | 'account.disabled'
  | 'account.enabled'
  | 'refresh.reuse_detected'
  | 'authorization_code.reuse_detected'
  | 'consent.granted'
  | 'oauth.identity_linked'
  | 'oauth.identity_unlinked'
  | 'oauth.login_failed'
  | 'signup.existing_email'
  | 'email.verification_sent'
  | 'email.verified'
  | 'password_reset.requested'
  | 'password.reset'
  | 'login.second_factor_required'
  | 'second_factor.failed'
  | 'email_code.sent'
  | 'email_code.failed'
  | 'reauth.succeeded'
  | 'totp.enrolment_started'
  | 'totp.enabled'
  | 'totp.disabled'
  | 'recovery_codes.generated'
  | 'recovery_code.used'
  | 'passkey.registered'
  | 'passkey.used'
  | 'passkey.failed'
  | 'passkey.renamed'
  | 'passkey.removed'
  | 'email_change.requested'
  | 'email_change.refused'
  | 'email.changed'
  | 'profile.updated'
  | 'backchannel_logout.delivered'
  | 'backchannel_logout.failed'
  | 'connected_app.revoked'
  | 'operator.granted'
  | 'operator.revoked'
  | 'client.created'
  | 'client.deleted'
  | 'client.redirect_uris_changed'
  | 'client.secret_rotated'
  | 'client.auth_method_enforced'
  | 'signing_key.rotated'
  | 'webhook.endpoint_added'
  | 'webhook.endpoint_removed'
  | 'webhook.secret_rotated'
  | 'delivery.retried';

export interface AuditEvent {
  id: string;
  atMs: number;
  type: AuditEventType;
  userId: string | null;
  /** The email as typed for failures (normalized), so failed attempts on unknown emails are visible. */
  email: string | null;
  ip: string;
  userAgent: string;
  /** Free-form context, never a secret: a reason code or a session id. */
  detail: string | null;
  /** The operator who did it from the console, when it was not the user themself; null otherwise. */
  actorId: string | null;
}

export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  list(options: { limit: number; userId?: string }): Promise<AuditEvent[]>;
}
