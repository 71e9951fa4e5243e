/** The storage port of webhook endpoints (issue 16): where events are sent, and how that goes. */

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** The event types it receives (core/webhooks/webhook-events.ts). */
  events: readonly string[];
  /** The signing secret (`whsec_...`), encrypted under the server secret: it must be read back to sign. */
  secretJwe: string;
  createdAtMs: number;
  /** The failure state: failed attempts since the last success (0 when healthy). */
  consecutiveFailures: number;
  lastSuccessAtMs: number | null;
  lastFailureAtMs: number | null;
  /** Why the last attempt failed (`status_500`, `timeout`, `address_not_allowed`, ...). */
  lastError: string | null;
}

export interface WebhookEndpointStore {
  create(endpoint: WebhookEndpoint): Promise<void>;
  findById(id: string): Promise<WebhookEndpoint | null>;
  /** Every endpoint, oldest first: a handful, read on each event that has a webhook type. */
  list(): Promise<WebhookEndpoint[]>;
  delete(id: string): Promise<boolean>;
  setSecret(id: string, secretJwe: string): Promise<boolean>;
  /** Updates the failure state after an attempt. */
  recordAttempt(id: string, attempt: { ok: boolean; atMs: number; error: string | null }): Promise<void>;
}
