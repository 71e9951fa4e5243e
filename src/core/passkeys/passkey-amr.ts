import type { PasskeyCredential } from '../ports.ts';

/**
 * RFC 8176 authentication method references for a passkey use: `hwk` for a device-bound key
 * (its private key never leaves the authenticator), `swk` for a synced one (a passkey provider
 * copies it between devices), plus `user` for the presence test, and `mfa` when the
 * authenticator verified the user (PIN or biometric): possession and a second factor in one.
 */
export function passkeyAmr(credential: Pick<PasskeyCredential, 'deviceType'>, userVerified: boolean): string[] {
  // Sorted, like every session's amr (sessions/authentication-methods.ts), so they compare as sets.
  return [credential.deviceType === 'singleDevice' ? 'hwk' : 'swk', 'user', ...(userVerified ? ['mfa'] : [])].sort();
}
