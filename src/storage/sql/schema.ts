import type { Generated } from 'kysely';

/** The tables, as kysely sees them. Times are integer milliseconds since the epoch. */
export interface UsersTable {
  id: string;
  email: string;
  /** '' for an account without a password (social login only); see rows.ts toUser. */
  password_hash: string;
  created_at_ms: number;
  updated_at_ms: number;
  disabled_at_ms: number | null;
  /** Set while the account is an operator (core/operators/ports.ts). */
  operator_since_ms: number | null;
}

export interface UserProfilesTable {
  user_id: string;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  picture: string | null;
  locale: string | null;
  updated_at_ms: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  secret_hash: Uint8Array;
  created_at_ms: number;
  last_seen_at_ms: number;
  expires_at_ms: number;
  user_agent: string;
  ip: string;
  auth_time_ms: number;
  /** RFC 8176 values separated by single spaces ('' when unknown). */
  amr: string;
  /** The session's last request to the console (core/operators/console-activity.ts). */
  console_seen_at_ms: number | null;
}

export interface ThrottleTable {
  key: string;
  failures: number;
  last_failure_at_ms: number;
}

export interface AuditTable {
  id: string;
  at_ms: number;
  type: string;
  user_id: string | null;
  email: string | null;
  ip: string;
  user_agent: string;
  detail: string | null;
  /** The operator who acted, when it was not the user (console actions). */
  actor_id: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwe: string;
  created_at_ms: number;
  activates_at_ms: number;
  retires_at_ms: number | null;
  expires_at_ms: number | null;
  /** 'access' or 'id_token' (migration 0017). */
  purpose: string;
}

export interface ClientsTable {
  id: string;
  name: string;
  type: string;
  secret_hash: string | null;
  /** Space-separated grant types. */
  grant_types: string;
  audience: string;
  /** 'body' or 'cookie' (migration 0007). */
  refresh_token_delivery: string;
  /** JSON arrays of URIs, stored verbatim (migration 0012). */
  redirect_uris: string;
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  /** JSON array of API scopes. */
  scopes: string;
  /** 0 or 1. */
  skip_consent: number;
  require_pkce: number;
  require_par: number;
  require_dpop: number;
  token_endpoint_auth_method: string;
  /** 0 or 1 (migration 0020). */
  accepts_either_secret_method: number;
  jwks_uri: string | null;
  /** The inline JWKS as JSON text, or null. */
  jwks: string | null;
  id_token_signed_response_alg: string;
  created_at_ms: number;
}

export interface RefreshTokensTable {
  id: string;
  family_id: string;
  session_id: string;
  client_id: string;
  secret_hash: Uint8Array;
  scope: string;
  created_at_ms: number;
  idle_expires_at_ms: number;
  family_expires_at_ms: number;
  used_at_ms: number | null;
  successor_id: string | null;
  dpop_jkt: string | null;
  /** An OpenID family's login (migration 0021): null for every other family; amr space-separated. */
  login_auth_time_ms: number | null;
  login_acr: string | null;
  login_amr: string | null;
}

export interface PushedAuthorizationRequestsTable {
  id_hash: Uint8Array;
  client_id: string;
  params: string;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface ReplayRecordsTable {
  key: string;
  expires_at_ms: number;
}

export interface RevocationsTable {
  seq: Generated<number>;
  sid: string | null;
  jti: string | null;
  expires_at_ms: number;
  created_at_ms: number;
  reason: string;
}

export interface OAuthIdentitiesTable {
  id: string;
  user_id: string;
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
  created_at_ms: number;
  last_login_at_ms: number;
  tokens_jwe: string | null;
}

export interface OAuthFlowsTable {
  id_hash: Uint8Array;
  provider: string;
  purpose: string;
  user_id: string | null;
  return_to: string;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface OneTimeTokensTable {
  id: string;
  user_id: string;
  purpose: string;
  email: string;
  secret_hash: Uint8Array;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
}

export interface EmailVerificationsTable {
  user_id: string;
  email: string;
  verified_at_ms: number;
}

export interface EmailCodesTable {
  user_id: string;
  purpose: string;
  code_hash: Uint8Array;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface TotpCredentialsTable {
  user_id: string;
  secret_jwe: string;
  created_at_ms: number;
  confirmed_at_ms: number | null;
  last_used_step: number | null;
  enrolment_session_id: string | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: Uint8Array;
  created_at_ms: number;
  used_at_ms: number | null;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: number;
  /** JSON array of strings. */
  transports: string;
  device_type: string;
  /** 0 or 1. */
  backed_up: number;
  name: string;
  created_at_ms: number;
  last_used_at_ms: number | null;
}

/** Answered passkey ceremonies (core/passkeys/ceremony.ts), keyed on (expires_at_ms, challenge_hash) since migration 0023, kept until the challenge would have expired. */
export interface PasskeyUsedChallengesTable {
  challenge_hash: Uint8Array;
  expires_at_ms: number;
}

/** The durable outbox (core/delivery/ports.ts). */
export interface DeliveriesTable {
  id: string;
  kind: string;
  target_url: string;
  payload: string;
  subject: string | null;
  state: string;
  attempts: number;
  next_attempt_at_ms: number;
  lease_token: string | null;
  last_attempt_at_ms: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at_ms: number;
  completed_at_ms: number | null;
  retried_at_ms: number | null;
}

/** Webhook endpoints (core/webhooks/ports.ts); `events` space-separated. */
export interface WebhookEndpointsTable {
  id: string;
  url: string;
  events: string;
  secret_jwe: string;
  created_at_ms: number;
  consecutive_failures: number;
  last_success_at_ms: number | null;
  last_failure_at_ms: number | null;
  last_error: string | null;
}

export interface Database {
  users: UsersTable;
  user_profiles: UserProfilesTable;
  sessions: SessionsTable;
  throttle: ThrottleTable;
  audit: AuditTable;
  signing_keys: SigningKeysTable;
  pending_authorizations: PendingAuthorizationsTable;
  authorization_codes: AuthorizationCodesTable;
  consents: ConsentsTable;
  session_clients: SessionClientsTable;
  clients: ClientsTable;
  refresh_tokens: RefreshTokensTable;
  revocations: RevocationsTable;
  oauth_identities: OAuthIdentitiesTable;
  oauth_flows: OAuthFlowsTable;
  one_time_tokens: OneTimeTokensTable;
  email_verifications: EmailVerificationsTable;
  email_codes: EmailCodesTable;
  totp_credentials: TotpCredentialsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  passkey_used_challenges: PasskeyUsedChallengesTable;
  deliveries: DeliveriesTable;
  replay_records: ReplayRecordsTable;
  pushed_authorization_requests: PushedAuthorizationRequestsTable;
  webhook_endpoints: WebhookEndpointsTable;
}

/** Migration 0017: the OpenID Provider. */
export interface PendingAuthorizationsTable {
  id: string;
  /** The checked AuthorizationParams as JSON. */
  params: string;
  login_after_ms: number | null;
  created_at_ms: number;
  expires_at_ms: number;
}

export interface AuthorizationCodesTable {
  code_hash: Uint8Array;
  client_id: string;
  user_id: string;
  session_id: string;
  redirect_uri: string;
  scope: string;
  nonce: string | null;
  code_challenge: string | null;
  auth_time_ms: number;
  /** JSON array. */
  amr: string;
  acr: string | null;
  /** Claims asked for in the ID token, space-separated; null when none (migration 0022). */
  id_token_claims: string | null;
  /** RFC 9449 §10: the DPoP key thumbprint the code is bound to, or null (migration 0024). */
  dpop_jkt: string | null;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
  refresh_family_id: string | null;
  access_token_jti: string | null;
  access_token_expires_at_ms: number | null;
  /** max(expires_at_ms, access_token_expires_at_ms): when the row may go. */
  keep_until_ms: number;
}

export interface ConsentsTable {
  user_id: string;
  client_id: string;
  /** JSON array. */
  scopes: string;
  granted_at_ms: number;
  updated_at_ms: number;
}

export interface SessionClientsTable {
  session_id: string;
  client_id: string;
  user_id: string;
  first_issued_at_ms: number;
  last_issued_at_ms: number;
  expires_at_ms: number;
}
