import type { DevOutbox } from '../mail/dev-outbox.ts';

/** What the HTTP layer needs to know about where it runs; built by main.ts from the validated config. */
export interface AppConfig {
  /** The public origin, e.g. https://auth.example.com: the only Origin allowed to change state. */
  publicUrl: string;
  /** Proxies whose X-Forwarded-For is believed; empty means the socket address is the client. */
  trustedProxies: readonly string[];
  /** Origins other than our own that `return_to` may point at. */
  allowedReturnOrigins: readonly string[];
  /** Dev mode's outbox: when given, /dev/mail shows the mails sent. Never outside dev mode. */
  devOutbox?: DevOutbox | null;
}
