import type { AccessRule } from '../core/forward-auth/access-rules.ts';
import type { DevOutbox } from '../mail/dev-outbox.ts';
import type { MailQueueStats } from '../mail/mail-queue.ts';

/** `status`: 401 (nginx `auth_request` accepts nothing else); `redirect`: 302 to the login page (Traefik, Caddy). */
export type ForwardAuthMode = 'status' | 'redirect';

export interface ForwardAuthConfig {
  /** Empty: every URL just needs a session, and the forwarded URL only serves as `return_to`. */
  accessRules: readonly AccessRule[];
  mode: ForwardAuthMode;
}

/** What the HTTP layer needs to know about where it runs; built by main.ts from the validated config. */
export interface AppConfig {
  /** The public origin, e.g. https://auth.example.com: the only Origin allowed to change state. */
  publicUrl: string;
  /** Proxies whose X-Forwarded-For is believed; empty means the socket address is the client. */
  trustedProxies: readonly string[];
  /** Origins other than our own that `return_to` may point at. */
  allowedReturnOrigins: readonly string[];
  /** Forward auth (`GET /v1/auth/check`): protected URLs and the refusal style. Absent: any session, 401. */
  forwardAuth?: ForwardAuthConfig;
  /** `cookieDomain` non-empty: the opt-in `__Secure-` session cookie with that Domain, instead of `__Host-`. */
  session?: { cookieDomain: string };
  /** Dev mode: pages may show operator diagnostics (why a social login failed). Never in production. */
  dev?: boolean;
  /** Dev mode's outbox: when given, /dev/mail shows the mails sent. Never outside dev mode. */
  devOutbox?: DevOutbox | null;
  /** What the operator console shows beyond the store: the mail queue, and the effective settings (secrets redacted). */
  console?: ConsoleConfig;
}

export interface ConsoleConfig {
  mailQueue?: () => MailQueueStats;
  /** Every setting as it is in effect, secrets already replaced by a mark. */
  settings?: ReadonlyArray<{ path: string; env: string; value: string; secret: boolean }>;
  /** The keys that seal webhook signing secrets (core/webhooks/webhook-secret.ts); absent, endpoints are added and rotated by the CLI only. */
  webhookKeys?: readonly Uint8Array[];
  /** Keys of the cookie that carries a new secret to the page showing it once (pages/admin/shown-once.ts); absent, a random key per process. */
  shownOnceKeys?: readonly Uint8Array[];
}
