/**
 * The WebAuthn user handle is our user id's bytes: random, with no personal data in it, and
 * the same for every passkey of the account, so a discoverable login names its account.
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

/** The user id in a user handle as an authenticator returns it (base64url), or null. */
export function userIdFromHandle(userHandle: string | undefined): string | null {
  if (userHandle === undefined || userHandle === '' || !/^[A-Za-z0-9_-]+$/.test(userHandle)) return null;
  return Buffer.from(userHandle, 'base64url').toString('utf8');
}
