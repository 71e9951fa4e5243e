import { AuthError } from '../core/errors.ts';

/**
 * Client credentials from an `Authorization: Basic` header, or null when there is none.
 * RFC 6749 2.3.1: both parts are form-urlencoded inside Basic (`+` is a space). A malformed
 * header is `invalid_client`.
 */
export function basicClientCredentials(header: string | undefined): { clientId: string; clientSecret: string } | null {
  if (header === undefined || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new AuthError('invalid_client');
  const formDecode = (value: string): string => decodeURIComponent(value.replaceAll('+', ' '));
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw new AuthError('invalid_client');
  }
}
