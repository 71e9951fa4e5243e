/**
 * Every error Gatehouse reports to a client has a stable `code` listed here.
 * The HTTP layer turns an AuthError into `application/problem+json` (RFC 9457)
 * with `type`, `title`, `status`, `code` and an optional `detail`.
 *
 * Codes are part of the public API: never rename one. A test fails when a code
 * is missing from docs/errors.md.
 */
export const errorCatalog = {
  validation_failed: { status: 400, title: 'The request body or query is not valid.' },
  invalid_email: { status: 400, title: 'The email address is not valid.' },
  password_too_short: { status: 400, title: 'The password is shorter than the policy minimum.' },
  password_too_long: { status: 400, title: 'The password is longer than the byte limit.' },
  password_too_common: { status: 400, title: 'The password is on the list of commonly used passwords.' },
  password_matches_email: { status: 400, title: 'The password must not be the email address.' },
  invalid_credentials: { status: 401, title: 'The email or password is wrong.' },
  unauthenticated: { status: 401, title: 'No valid session was presented.' },
  invalid_client: { status: 401, title: 'Client authentication failed.' },
  wrong_password: { status: 403, title: 'The current password is wrong.' },
  account_disabled: { status: 403, title: 'The account is disabled.' },
  invalid_grant: { status: 400, title: 'The grant (refresh token or credentials) is invalid, expired or revoked.' },
  invalid_scope: { status: 400, title: 'The requested scope is not allowed for this client.' },
  unsupported_grant_type: { status: 400, title: 'This grant type is not supported here.' },
  unauthorized_client: { status: 400, title: 'This client is not allowed to use this grant.' },
  unsupported_response_type: { status: 400, title: 'Only response_type=code is supported (OAuth 2.1: no implicit or hybrid flow).' },
  invalid_dpop_proof: { status: 400, title: 'The DPoP proof is missing, invalid, replayed or signed with another key.' },
  invalid_target: { status: 400, title: 'The requested resource is not an audience this client may get tokens for.' },
  invalid_token: { status: 401, title: 'The access token is invalid, expired or revoked (RFC 6750).' },
  insufficient_scope: { status: 403, title: 'The access token was not granted the scope this needs (RFC 6750).' },
  forbidden_origin: { status: 403, title: 'Cross-site request refused.' },
  misdirected_request: { status: 421, title: 'This server does not answer requests addressed to that host name.' },
  compare_busy: { status: 429, title: 'A comparison is already running or ran moments ago; try again shortly.' },
  forward_auth_target_unknown: { status: 403, title: 'No forward-auth rule covers this URL, or the proxy did not say which URL it is.' },
  step_up_required: { status: 403, title: 'This path needs a session that used a second factor: log out, then log in with it.' },
  not_found: { status: 404, title: 'No such resource.' },
  session_not_found: { status: 404, title: 'No such session for this user.' },
  method_not_allowed: { status: 405, title: 'This method is not allowed on this resource.' },
  email_taken: { status: 409, title: 'An account with this email already exists.' },
  client_id_taken: { status: 409, title: 'A client with this id already exists.' },
  payload_too_large: { status: 413, title: 'The request body is too large.' },
  unsupported_media_type: { status: 415, title: 'This endpoint accepts application/json only.' },
  too_many_requests: { status: 429, title: 'Too many attempts; wait and try again.' },
  oauth_provider_unknown: { status: 404, title: 'No login provider with this id is configured.' },
  oauth_flow_invalid: { status: 400, title: 'This login attempt is unknown, expired or already used, or was started in another browser; start again.' },
  oauth_denied: { status: 403, title: 'The provider did not grant access (consent was denied or the login cancelled).' },
  oauth_response_invalid: { status: 400, title: "The provider's answer could not be verified, so nobody was logged in." },
  oauth_provider_unavailable: { status: 502, title: 'The login provider could not be reached or answered with an error; try again shortly.' },
  oauth_email_unverified: { status: 403, title: 'The provider did not share a verified email address, which a new account needs.' },
  oauth_account_exists: { status: 409, title: 'An account with this email already exists: log in to it, then link this provider from your account page.' },
  oauth_identity_taken: { status: 409, title: 'This provider account is already linked to another Gatehouse account.' },
  oauth_last_login_method: { status: 409, title: 'This is the only way left to log in to this account, so it cannot be unlinked.' },
  fresh_login_required: { status: 403, title: 'Log in again first: this needs a login from the last few minutes.' },
  identity_not_found: { status: 404, title: 'No such linked identity for this user.' },
  invalid_link: { status: 400, title: 'The link is invalid, expired or already used.' },
  email_not_verified: { status: 403, title: 'The email address is not verified yet.' },
  second_factor_required: { status: 401, title: 'The password is right; a second factor is needed to finish logging in.' },
  invalid_code: { status: 400, title: 'The code is wrong, expired or already used.' },
  no_pending_login: { status: 401, title: 'There is no login waiting for a second factor; start again with the password.' },
  totp_already_enabled: { status: 409, title: 'Two-factor authentication is already on.' },
  totp_not_enabled: { status: 409, title: 'Two-factor authentication is not on.' },
  reauthentication_required: { status: 403, title: 'Confirm it is you first (POST /v1/me/reauth: the password, an emailed code or an authenticator code): this change needs a recent re-authentication.' },
  email_unchanged: { status: 400, title: 'The new email address is the current one.' },
  recovery_codes_download_expired: { status: 410, title: 'These recovery codes can no longer be downloaded.' },
  passkey_challenge_invalid: { status: 400, title: 'This passkey request is unknown, expired, already used or was started elsewhere; start again.' },
  passkey_refused: { status: 401, title: 'The passkey could not be verified, so nobody was logged in.' },
  passkey_registration_failed: { status: 400, title: 'The new passkey could not be verified, so it was not added.' },
  passkey_already_registered: { status: 409, title: 'This passkey is already registered.' },
  passkey_not_found: { status: 404, title: 'No such passkey for this account.' },
  passkey_last_login_method: { status: 409, title: 'This is the only way left to log in to this account, so it cannot be removed.' },
  invalid_profile_name: { status: 400, title: 'A name in the profile is too long or contains control characters.' },
  invalid_picture_url: { status: 400, title: 'The picture must be an https URL without a user name or password, of at most 2048 characters.' },
  invalid_locale: { status: 400, title: 'The locale must be a BCP 47 language tag such as en-GB.' },
  connected_app_not_found: { status: 404, title: 'This app is not connected to your account.' },
  operator_second_factor_required: { status: 403, title: 'The console needs an operator account with a second factor: set up an authenticator app or a passkey on your account first.' },
  invalid_webhook_url: { status: 400, title: 'A webhook URL must be an absolute https URL (http only for localhost), without a user name or password.' },
  invalid_webhook_event: { status: 400, title: 'Unknown webhook event type, or none given.' },
  webhook_endpoint_not_found: { status: 404, title: 'No such webhook endpoint.' },
  delivery_not_found: { status: 404, title: 'No such dead delivery.' },
  internal_error: { status: 500, title: 'Something went wrong on our side.' },
  service_unavailable: { status: 503, title: 'A backing service is unavailable; try again shortly.' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export interface AuthErrorOptions {
  /** Human-readable explanation specific to this occurrence; safe to show to the user. */
  detail?: string;
  /** Seconds the client should wait (sent as Retry-After). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * The one error type the domain throws for an expected refusal.
 *
 * @example
 * throw new AuthError('password_too_short', { detail: 'Use at least 15 characters.' });
 */
export class AuthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: AuthErrorOptions = {}) {
    super(options.detail ?? errorCatalog[code].title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AuthError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Thrown by a storage adapter when its backing service cannot be reached; answered with 503. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}
