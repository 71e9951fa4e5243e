import type { PasskeyCredential } from '../core/ports.ts';

/** JSON Schemas of the passkey API: WebAuthn options out, browser answers in (as @simplewebauthn/browser makes them). */

const b64url = { type: 'string', pattern: '^[A-Za-z0-9_-]*={0,2}$', maxLength: 65_536 } as const;

/** A `PublicKeyCredential` as JSON (`startRegistration()` / `startAuthentication()` results). Checked further by @simplewebauthn/server. */
export const webAuthnResponseSchema = {
  type: 'object',
  required: ['id', 'rawId', 'type', 'response'],
  additionalProperties: false,
  properties: {
    id: { ...b64url, minLength: 1, maxLength: 1400 },
    rawId: { ...b64url, minLength: 1, maxLength: 1400 },
    type: { type: 'string', enum: ['public-key'] },
    authenticatorAttachment: { type: 'string', maxLength: 32 },
    clientExtensionResults: { type: 'object', additionalProperties: true },
    response: {
      type: 'object',
      required: ['clientDataJSON'],
      additionalProperties: false,
      properties: {
        clientDataJSON: b64url,
        attestationObject: b64url,
        authenticatorData: b64url,
        signature: b64url,
        userHandle: b64url,
        publicKey: b64url,
        publicKeyAlgorithm: { type: 'integer' },
        transports: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 32 } },
      },
    },
  },
} as const;

/** The options for `navigator.credentials` as JSON; pass them to @simplewebauthn/browser as `optionsJSON`. */
export const webAuthnOptionsResponse = {
  type: 'object',
  required: ['options'],
  properties: { options: { type: 'object', additionalProperties: true, description: 'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON.' } },
} as const;

export const passkeySchema = {
  type: 'object',
  required: ['id', 'name', 'createdAt', 'lastUsedAt', 'synced', 'backedUp'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
    synced: { type: 'boolean', description: 'True for a passkey a provider syncs between devices (backup eligible); false for a device-bound one.' },
    backedUp: { type: 'boolean', description: 'The backup state flag at the last use.' },
  },
} as const;

export const passkeyNameProperty = { type: 'string', maxLength: 200 } as const;

export interface PasskeyBody {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  synced: boolean;
  backedUp: boolean;
}

export function passkeyBody(p: PasskeyCredential): PasskeyBody {
  return {
    id: p.id,
    name: p.name,
    createdAt: new Date(p.createdAtMs).toISOString(),
    lastUsedAt: p.lastUsedAtMs === null ? null : new Date(p.lastUsedAtMs).toISOString(),
    synced: p.deviceType === 'multiDevice',
    backedUp: p.backedUp,
  };
}
