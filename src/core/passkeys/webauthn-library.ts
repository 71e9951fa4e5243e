type WebAuthnLibrary = typeof import('@simplewebauthn/server');

let loading: Promise<WebAuthnLibrary> | undefined;

/**
 * @simplewebauthn/server, loaded with the first passkey ceremony rather than at start-up: it is
 * ~4 MB of heap (~8 MB of RSS) that a server whose users never touch a passkey need not carry.
 *
 * @example
 * const { verifyAuthenticationResponse } = await webAuthnLibrary();
 */
export function webAuthnLibrary(): Promise<WebAuthnLibrary> {
  loading ??= import('@simplewebauthn/server');
  return loading;
}
