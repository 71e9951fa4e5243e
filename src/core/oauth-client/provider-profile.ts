/** Who the provider says the user is, after every check has passed. */
export interface ProviderProfile {
  issuer: string;
  subject: string;
  /** As the provider gave it (not yet normalized); null when it shared none. */
  email: string | null;
  /** True only when the provider explicitly asserts the email is verified. */
  emailVerified: boolean;
  /** The ID token's `amr` (how the provider authenticated the user); empty when it sent none. */
  amr: readonly string[];
}

/** `amr` as the ID token carries it: an array of strings, or nothing usable. */
export function amrClaim(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, 16) : [];
}

/** `email_verified` is a boolean in the spec; some providers send the string "true". */
export function assertsVerified(value: unknown): boolean {
  return value === true || value === 'true';
}
