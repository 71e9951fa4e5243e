/** Where passkeys are valid, and how they are made. From the configuration (docs/configuration.md). */
export interface PasskeyPolicy {
  /** The WebAuthn relying party id: the public URL's host unless configured (a registrable suffix of it). */
  rpId: string;
  /** The name authenticators show beside the passkey. */
  rpName: string;
  /** The only origins whose answers are accepted (docs/security.md SEC-174): the public URL unless configured. */
  origins: readonly string[];
  /** Attestation asked for at registration: `none` by default (nothing about the device is collected). */
  attestation: 'none' | 'direct';
}

/** A challenge is answered within this long, or never (docs/security.md SEC-171). */
export const passkeyChallengeTtlMs = 5 * 60 * 1000;

/** The longest passkey name kept; longer names are cut. */
export const passkeyNameMaxLength = 64;

/** The name a passkey gets when the user gives none. */
export function passkeyName(input: string | undefined): string {
  const name = (input ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').trim().slice(0, passkeyNameMaxLength);
  return name === '' ? 'Passkey' : name;
}
