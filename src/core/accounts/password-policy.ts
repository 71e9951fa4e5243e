import { AuthError } from '../errors.ts';

export interface PasswordPolicy {
  /** Minimum length in Unicode code points after NFKC normalization. */
  minLength: number;
  /** Hard cap on the UTF-8 byte length, checked before anything else (and before hashing). */
  maxBytes: number;
  /** Lowercased common passwords; see data/common-passwords-10k.txt. */
  /** Lowercased; only `has` is asked, so the list may be loaded on first use. */
  commonPasswords: Pick<ReadonlySet<string>, 'has'>;
}

/**
 * NIST SP 800-63B asks verifiers to normalize Unicode passwords so the same password typed
 * on two keyboards hashes the same. NFKC keeps case, so a case-flipped password still fails.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** True when the password cannot be a valid stored password because it is over the byte cap. */
export function exceedsPasswordByteCap(password: string, policy: PasswordPolicy): boolean {
  return Buffer.byteLength(password, 'utf8') > policy.maxBytes;
}

/**
 * Throws an AuthError with a reason when `password` is not acceptable as a new password.
 * No composition rules (NIST SP 800-63B 3.1.1.2): length, the byte cap, the common list and the email.
 *
 * @example
 * assertAcceptablePassword('correct horse battery staple', 'alice@example.com', policy);
 */
export function assertAcceptablePassword(password: string, email: string, policy: PasswordPolicy): void {
  if (exceedsPasswordByteCap(password, policy)) {
    throw new AuthError('password_too_long', { detail: `Passwords are limited to ${policy.maxBytes} bytes of UTF-8.` });
  }
  const normalized = normalizePassword(password);
  const length = [...normalized].length;
  if (length < policy.minLength) {
    throw new AuthError('password_too_short', { detail: `Use at least ${policy.minLength} characters; a few words make a good password.` });
  }
  const folded = normalized.toLowerCase();
  if (policy.commonPasswords.has(folded)) {
    throw new AuthError('password_too_common', { detail: 'This password is one of the most commonly used; choose another.' });
  }
  if (folded.trim() === email.toLowerCase() || folded.trim() === email.split('@')[0]) {
    throw new AuthError('password_matches_email', { detail: 'The password must not be your email address.' });
  }
}
