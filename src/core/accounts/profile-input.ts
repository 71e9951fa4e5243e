import { AuthError } from '../errors.ts';

/** The longest name, given name or family name, in UTF-16 code units. */
export const maxProfileNameLength = 200;
/** The longest picture URL: longer ones are refused, not cut (a cut URL points elsewhere). */
export const maxPictureUrlLength = 2048;
/** RFC 5646 §4.4.1 advises room for 35 characters; nothing sensible is longer. */
export const maxLocaleLength = 35;

/** A change to the profile: an absent field stays as it is; null or '' clears it. */
export interface ProfileChange {
  name?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  picture?: string | null;
  locale?: string | null;
}

// C0 and C1 controls, and the bidirectional overrides and isolates that can make a name shown
// to another app read differently from what it is.
const forbiddenInName = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/** A name field, trimmed; '' becomes null. Too long or with control characters: `invalid_profile_name`. */
export function profileName(field: string, value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  if (trimmed.length > maxProfileNameLength) throw new AuthError('invalid_profile_name', { detail: `${field} is longer than ${maxProfileNameLength} characters.` });
  if (forbiddenInName.test(trimmed)) throw new AuthError('invalid_profile_name', { detail: `${field} contains control characters.` });
  return trimmed;
}

/**
 * A picture URL; '' becomes null. Only https, so an app showing it never loads mixed content or
 * a `javascript:`/`data:` URL, and without user:password, which would leak into every app that
 * fetches it.
 */
export function pictureUrl(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  if (trimmed.length > maxPictureUrlLength) throw new AuthError('invalid_picture_url', { detail: `The URL is longer than ${maxPictureUrlLength} characters.` });
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new AuthError('invalid_picture_url', { detail: 'This is not a URL.' });
  }
  if (url.protocol !== 'https:') throw new AuthError('invalid_picture_url', { detail: 'The URL must start with https://.' });
  if (url.username !== '' || url.password !== '') throw new AuthError('invalid_picture_url', { detail: 'The URL must not contain a user name or password.' });
  if (url.href.length > maxPictureUrlLength) throw new AuthError('invalid_picture_url', { detail: `The URL is longer than ${maxPictureUrlLength} characters.` });
  return url.href;
}

/**
 * A BCP 47 language tag in its canonical form (`en-us` becomes `en-US`); '' becomes null. The
 * shape is checked by `Intl.getCanonicalLocales`, which implements the BCP 47 grammar.
 */
export function localeTag(value: string | null): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') return null;
  if (trimmed.length > maxLocaleLength) throw new AuthError('invalid_locale', { detail: `The tag is longer than ${maxLocaleLength} characters.` });
  let canonical: string | undefined;
  try {
    canonical = Intl.getCanonicalLocales(trimmed)[0];
  } catch {
    canonical = undefined;
  }
  if (canonical === undefined || canonical.length > maxLocaleLength) throw new AuthError('invalid_locale', { detail: 'Use a language tag such as en, en-GB or pt-BR.' });
  return canonical;
}
