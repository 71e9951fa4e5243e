/** Who the provider says the user is, after every check has passed. */
export interface ProviderProfile {
  issuer: string;
  subject: string;
  /** As the provider gave it (not yet normalized); null when it shared none. */
  email: string | null;
  /** True only when the provider explicitly asserts the email is verified. */
  emailVerified: boolean;
}

/** `email_verified` is a boolean in the spec; some providers send the string "true". */
export function assertsVerified(value: unknown): boolean {
  return value === true || value === 'true';
}
