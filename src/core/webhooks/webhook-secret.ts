import { Buffer } from 'node:buffer';
import { hkdfSync } from 'node:crypto';
import { openSecret, sealSecret } from '../otp/secret-box.ts';
import type { Random } from '../ports.ts';

/** 24 random bytes (192 bits), in the Standard Webhooks `whsec_` + base64 form. */
export function newWebhookSecret(random: Random): string {
  return `whsec_${Buffer.from(random.bytes(24)).toString('base64')}`;
}

/** Encrypted under the server secret, bound to the endpoint id (core/otp/secret-box.ts). */
export function sealWebhookSecret(secret: string, endpointId: string, keys: readonly Uint8Array[]): Promise<string> {
  return sealSecret(secret, `webhook:${endpointId}`, keys);
}

export function openWebhookSecret(secretJwe: string, endpointId: string, keys: readonly Uint8Array[]): Promise<string | null> {
  return openSecret(secretJwe, `webhook:${endpointId}`, keys);
}

/** The keys that encrypt the secrets at rest, derived from GATEHOUSE_SECRET: one per server secret, the first seals. */
export function webhookKeys(secrets: readonly string[]): Uint8Array[] {
  return secrets.map((secret) => new Uint8Array(hkdfSync('sha256', secret, 'gatehouse', 'webhook-secret-encryption v1', 32)));
}
