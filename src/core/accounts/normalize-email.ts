import { domainToASCII } from 'node:url';

const maxEmailLength = 254; // RFC 5321 path limit minus the angle brackets
const maxLocalPartLength = 64;
// Printable, no whitespace, no characters that need quoting in RFC 5322; rejects CR/LF (header injection).
const localPartPattern = /^[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~.]+$/u;

/**
 * Normalizes an email address for storage and lookup, or returns null when it is not a usable address.
 *
 * - Trims surrounding white space and applies Unicode NFC.
 * - Converts the domain to its ASCII (punycode) form and lowercases it.
 * - Lowercases the local part too. RFC 5321 lets a mail server treat the local part as
 *   case-sensitive, but no mainstream provider does, and case-sensitive accounts let
 *   `Alice@x.org` and `alice@x.org` become two accounts for one mailbox. Dots and `+tags`
 *   are kept: removing them is a Gmail-only rule that would merge distinct mailboxes elsewhere.
 *
 * @example
 * normalizeEmail('  Alice@Example.COM ') // 'alice@example.com'
 */
export function normalizeEmail(input: string): string | null {
  const trimmed = input.trim().normalize('NFC');
  if (trimmed.length === 0 || trimmed.length > maxEmailLength) return null;
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const localPart = trimmed.slice(0, at).toLowerCase();
  const domainInput = trimmed.slice(at + 1);
  if (localPart.length > maxLocalPartLength || !localPartPattern.test(localPart)) return null;
  if (localPart.startsWith('.') || localPart.endsWith('.') || localPart.includes('..')) return null;
  if (/[\s@\u0000-\u001f\u007f]/u.test(domainInput)) return null;
  const domain = domainToASCII(domainInput).toLowerCase();
  if (domain === '' || !domain.includes('.') || domain.endsWith('.') || domain.length > 253) return null;
  if (!domain.split('.').every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label))) return null;
  const email = `${localPart}@${domain}`;
  return email.length > maxEmailLength ? null : email;
}
