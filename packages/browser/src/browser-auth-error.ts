/**
 * Why a {@link GatehouseBrowserError} happened. Stable: never renamed.
 *
 * - `login_required`: no live refresh cookie (never logged in, logged out in any tab, session
 *   revoked, expired). Show the login form.
 * - `invalid_credentials`: the email and password did not match (the server never says which).
 * - `rate_limited`: too many attempts; `retryAfterSeconds` says when to try again.
 * - `unavailable`: the network or the server failed; worth retrying later.
 * - `rejected`: the server refused the request for another reason (misconfigured client, bad input).
 *
 * @example
 * import type { BrowserAuthErrorCode } from '@gatehouse/browser';
 * const showLogin: BrowserAuthErrorCode = 'login_required';
 */
export type BrowserAuthErrorCode = 'login_required' | 'invalid_credentials' | 'rate_limited' | 'unavailable' | 'rejected';

/**
 * The one error type of `@gatehouse/browser`, with a stable {@link BrowserAuthErrorCode}.
 *
 * @example
 * try {
 *   await auth.getAccessToken();
 * } catch (error) {
 *   if (error instanceof GatehouseBrowserError && error.code === 'login_required') showLoginForm();
 *   else throw error;
 * }
 */
export class GatehouseBrowserError extends Error {
  readonly code: BrowserAuthErrorCode;
  /** The OAuth `error` the token endpoint answered, when it answered one. */
  readonly oauthError: string | undefined;
  /** For `rate_limited`: the server's Retry-After, in seconds. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: BrowserAuthErrorCode, message: string, details: { oauthError?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GatehouseBrowserError';
    this.code = code;
    this.oauthError = details.oauthError;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}
