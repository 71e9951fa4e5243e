import type { Session, User } from '../core/ports.ts';

/** JSON Schemas shared by routes: they validate requests, shape responses and feed /openapi.json. */
export const userSchema = {
  $id: 'user',
  type: 'object',
  required: ['id', 'email', 'createdAt'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string', format: 'email' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const sessionSchema = {
  $id: 'session',
  type: 'object',
  required: ['id', 'createdAt', 'lastSeenAt', 'expiresAt', 'idleExpiresAt', 'userAgent', 'ip', 'current', 'authTime', 'amr'],
  properties: {
    id: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time', description: 'Updated at most once a minute.' },
    expiresAt: { type: 'string', format: 'date-time', description: 'The absolute limit.' },
    idleExpiresAt: { type: 'string', format: 'date-time', description: 'When the session ends if unused.' },
    userAgent: { type: 'string' },
    ip: { type: 'string' },
    current: { type: 'boolean', description: 'True for the session making this request.' },
    authTime: { type: 'string', format: 'date-time', description: 'When the user last logged in or re-authenticated (POST /v1/me/reauth) in this session.' },
    amr: { type: 'array', items: { type: 'string' }, description: 'How (RFC 8176), sorted: pwd (password), otp (TOTP, recovery or emailed code), fed (social login), hwk or swk with user (a device-bound or synced passkey), and mfa when two different factors were used or a passkey verified the user.' },
  },
} as const;

/**
 * Re-authentication sent along with a sensitive change, or to POST /v1/me/reauth: the password,
 * a code from POST /v1/me/reauth-code (`emailCode`), or an authenticator code (`code`).
 */
export const reauthProperties = {
  password: { type: 'string', minLength: 1 },
  emailCode: { type: 'string', minLength: 1, maxLength: 16 },
  code: { type: 'string', minLength: 1, maxLength: 16 },
} as const;

/**
 * Optional re-authentication sent along with a sensitive change: without it, the session must
 * have logged in or re-authenticated (POST /v1/me/reauth) recently (docs/security.md SEC-100).
 * Routes taking it use the `emptyBodyAsObject` preValidation hook, so no body is `{}`.
 */
export const reauthBody = { type: 'object', additionalProperties: false, maxProperties: 1, properties: reauthProperties } as const;
export type ReauthBody = { password?: string; emailCode?: string; code?: string } | undefined;

export const credentialsBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 1024 },
    password: { type: 'string', minLength: 1 },
  },
} as const;

export const userAndSessionResponse = {
  type: 'object',
  required: ['user', 'session'],
  properties: { user: { $ref: 'user#' }, session: { $ref: 'session#' } },
} as const;

/** The uniform answer of every request that mails someone: it never says whether an account exists. */
export const checkEmailResponse = {
  type: 'object',
  required: ['status', 'email'],
  properties: {
    status: { type: 'string', enum: ['check_email'] },
    email: { type: 'string', description: 'The address, normalized, as typed: not a sign that an account exists.' },
  },
} as const;

export const emailBody = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: { email: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

export const errorResponses = {
  '4xx': { $ref: 'problem#' },
  '5xx': { $ref: 'problem#' },
} as const;

export interface UserBody {
  id: string;
  email: string;
  createdAt: string;
}

export interface SessionBody {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  idleExpiresAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
  authTime: string;
  amr: string[];
}

// The session check formats the same few instants on every request (a session's creation,
// expiry, last use): formatted once each. Cleared when it fills, so it stays small.
const isoCache = new Map<number, string>();
const iso = (ms: number): string => {
  let formatted = isoCache.get(ms);
  if (formatted === undefined) {
    if (isoCache.size >= 4096) isoCache.clear();
    formatted = new Date(ms).toISOString();
    isoCache.set(ms, formatted);
  }
  return formatted;
};

export function userBody(user: User): UserBody {
  return { id: user.id, email: user.email, createdAt: iso(user.createdAtMs) };
}

export function sessionBody(session: Session, idleTimeoutMs: number, currentId: string): SessionBody {
  return {
    id: session.id,
    createdAt: iso(session.createdAtMs),
    lastSeenAt: iso(session.lastSeenAtMs),
    expiresAt: iso(session.expiresAtMs),
    idleExpiresAt: iso(Math.min(session.expiresAtMs, session.lastSeenAtMs + idleTimeoutMs)),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentId,
    authTime: iso(session.authTimeMs),
    amr: [...session.amr],
  };
}
