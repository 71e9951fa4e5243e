import type { UserClaims } from '../accounts/user-claims.ts';
import type { ClaimsRequest } from './ports.ts';

/** The user claims Gatehouse can release one by one through the `claims` parameter (OIDC Core §5.1, §5.5). */
export const requestableClaims: readonly (keyof UserClaims)[] = Object.freeze(['name', 'given_name', 'family_name', 'picture', 'locale', 'updated_at', 'email', 'email_verified']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One member (`id_token` or `userinfo`): claim names to `null` or `{essential, value, values}`. */
function requestedIn(member: unknown): string[] | 'invalid' {
  if (member === undefined) return [];
  if (!isObject(member)) return 'invalid';
  const names: string[] = [];
  for (const [name, request] of Object.entries(member)) {
    if (request !== null) {
      if (!isObject(request)) return 'invalid';
      if (request['essential'] !== undefined && typeof request['essential'] !== 'boolean') return 'invalid';
      if (request['values'] !== undefined && !Array.isArray(request['values'])) return 'invalid';
    }
    if ((requestableClaims as readonly string[]).includes(name)) names.push(name);
  }
  return names;
}

/**
 * The `claims` request parameter (OIDC Core §5.5): a JSON object whose `id_token` and `userinfo`
 * members name claims, each `null` (voluntary) or an object (`essential`, `value`, `values`).
 * Malformed JSON, a member or a claim request that is not an object, a non-boolean `essential`
 * or a non-array `values` is 'invalid' (the caller answers `invalid_request`). Claims Gatehouse
 * does not hold, and other members, are ignored (§5.5: an OP need not honour every request).
 * Essential and voluntary are treated alike: a claim is released when the user has it and the
 * granted scopes cover it (core/accounts/user-claims.ts), never beyond them, and never an error
 * when it is missing (§5.5.1).
 *
 * @example
 * parseClaimsRequest('{"id_token":{"email":{"essential":true}}}') // { idToken: ['email'], userinfo: [] }
 */
export function parseClaimsRequest(text: string): ClaimsRequest | 'invalid' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  if (!isObject(parsed)) return 'invalid';
  const idToken = requestedIn(parsed['id_token']);
  const userinfo = requestedIn(parsed['userinfo']);
  if (idToken === 'invalid' || userinfo === 'invalid') return 'invalid';
  return { idToken, userinfo };
}

/**
 * The requested claims out of what the scopes grant (`granted`, from `userClaims`): only those
 * both asked for and present.
 *
 * @example
 * pickRequestedClaims({ sub: 'u1', email: 'a@example.com', email_verified: true }, ['email']) // { email: 'a@example.com' }
 */
export function pickRequestedClaims(granted: UserClaims, names: readonly string[]): Partial<UserClaims> {
  const picked: Record<string, unknown> = {};
  for (const name of names) {
    const value = (granted as unknown as Record<string, unknown>)[name];
    if (name !== 'sub' && value !== undefined) picked[name] = value;
  }
  return picked as Partial<UserClaims>;
}
