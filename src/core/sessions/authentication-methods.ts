/**
 * How a user proved who they are, and the RFC 8176 "amr" values a session records for it.
 *
 * | factor          | amr   | why                                                                 |
 * |-----------------|-------|---------------------------------------------------------------------|
 * | `password`      | `pwd` | RFC 8176 `pwd`                                                       |
 * | `email_code`    | `otp` | a one-time code, delivered by mail                                   |
 * | `totp`          | `otp` | RFC 8176 `otp`                                                       |
 * | `recovery_code` | `otp` | a single-use code standing in for the authenticator                  |
 * | `provider`      | `fed` | a login at a federated identity provider (not an RFC 8176 value: the |
 * |                 |       | provider's own methods are unknown, so none of them is claimed)      |
 * | `provider_mfa`  | `fed` `mfa` | the provider's ID token said `mfa` and the operator trusts it (`trust_provider_mfa`) |
 * | `passkey_device_bound` | `hwk` `user` | a device-bound passkey with user verification (a re-authentication; a passkey login's amr comes from passkeys/passkey-amr.ts) |
 * | `passkey_synced` | `swk` `user` | the same with a synced passkey |
 *
 * `mfa` is added when one authentication used factors of two different kinds (something known,
 * a mailbox, an authenticator, a provider account). Values are sorted, so they compare as sets.
 */
export type AuthenticationFactor = 'password' | 'email_code' | 'totp' | 'recovery_code' | 'provider' | 'provider_mfa' | 'passkey_device_bound' | 'passkey_synced';

const amrValues: Record<AuthenticationFactor, readonly string[]> = {
  password: ['pwd'],
  email_code: ['otp'],
  totp: ['otp'],
  recovery_code: ['otp'],
  provider: ['fed'],
  provider_mfa: ['fed', 'mfa'],
  passkey_device_bound: ['hwk', 'user'],
  passkey_synced: ['swk', 'user'],
};

// What kind of proof each factor is: two of one kind (TOTP, then a recovery code) are not two factors.
const factorKind: Record<AuthenticationFactor, string> = {
  password: 'knowledge',
  email_code: 'mailbox',
  totp: 'authenticator',
  recovery_code: 'authenticator',
  provider: 'provider',
  provider_mfa: 'provider',
  passkey_device_bound: 'authenticator',
  passkey_synced: 'authenticator',
};

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/**
 * The amr of one authentication made of `factors` (a login: the password, then TOTP).
 *
 * @example
 * amrOf(['password', 'totp']); // ['mfa', 'otp', 'pwd']
 */
export function amrOf(factors: readonly AuthenticationFactor[]): string[] {
  const values = factors.flatMap((f) => amrValues[f]);
  if (new Set(factors.map((f) => factorKind[f])).size >= 2) values.push('mfa');
  return sortedUnique(values);
}

/**
 * A session's amr after a re-authentication with `factor`: the union. A re-authentication is one
 * factor at another time, so it never adds `mfa` by itself; an `mfa` the login earned stays.
 */
export function amrAfterReauthentication(current: readonly string[], factor: AuthenticationFactor): string[] {
  return sortedUnique([...current, ...amrValues[factor].filter((v) => v !== 'mfa')]);
}
