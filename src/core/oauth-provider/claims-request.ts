import type { UserClaims } from '../accounts/user-claims.ts';
import type { ClaimsRequest } from './ports.ts';

/** The user claims Gatehouse can release one by one through the `claims` parameter (OIDC Core §5.1, §5.5). */
export const requestableClaims: readonly (keyof UserClaims)[] = Object.freeze(['name', 'given_name', 'family_name', 'picture', 'locale', 'updated_at', 'email', 'email_verified']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

interface MemberRequest {
  names: string[];
  /** `sub` asked with a `value`: the only user this request may answer for (OIDC Core §5.5.1). */
  subject: string | null;
  /** `acr` asked as essential with `value` or `values`: the levels that will do (§5.5.1.1). */
  essentialAcr: string[] | null;
}

/** One member (`id_token` or `userinfo`): claim names to `null` or `{essential, value, values}`. */
function requestedIn(member: unknown): MemberRequest | 'invalid' {
  const request: MemberRequest = { names: [], subject: null, essentialAcr: null };
  if (member === undefined) return request;
  if (!isObject(member)) return 'invalid';
  for (const [name, asked] of Object.entries(member)) {
    if (asked !== null) {
      if (!isObject(asked)) return 'invalid';
      if (asked['essential'] !== undefined && typeof asked['essential'] !== 'boolean') return 'invalid';
      if (asked['values'] !== undefined && !Array.isArray(asked['values'])) return 'invalid';
      if (name === 'sub' && asked['value'] !== undefined) {
        if (typeof asked['value'] !== 'string' || asked['value'] === '') return 'invalid';
        request.subject = asked['value'];
      }
      if (name === 'acr' && asked['essential'] === true && (asked['value'] !== undefined || asked['values'] !== undefined)) {
        const levels = asked['values'] === undefined ? [asked['value']] : (asked['values'] as unknown[]);
        if (levels.length === 0 || !levels.every((level) => typeof level === 'string')) return 'invalid';
        request.essentialAcr = levels as string[];
      }
    }
    if ((requestableClaims as readonly string[]).includes(name)) request.names.push(name);
  }
  return request;
}

/**
 * The `claims` request parameter (OIDC Core §5.5): a JSON object whose `id_token` and `userinfo`
 * members name claims, each `null` (voluntary) or an object (`essential`, `value`, `values`).
 * Malformed JSON, a member or a claim request that is not an object, a non-boolean `essential`,
 * a non-array `values`, a `sub` value that is not a string, or essential `acr` levels that are not
 * strings is 'invalid' (the caller answers `invalid_request`). Claims Gatehouse does not hold, and
 * other members, are ignored (§5.5: an OP need not honour every request). For the other claims,
 * essential and voluntary are treated alike: a claim is released when the user has it and the
 * granted scopes cover it (core/accounts/user-claims.ts), never beyond them, and never an error
 * when it is missing (§5.5.1); `value` and `values` of those are not constraints (§5.5.1).
 *
 * Two requests are constraints, and come back as `subject` and `essentialAcr`: `sub` with a value
 * (§5.5.1: answer only for that user) and `acr` as essential with values (§5.5.1.1: reach one of
 * them or fail); core/oauth-provider/decide-authorization.ts enforces them.
 *
 * @example
 * parseClaimsRequest('{"id_token":{"email":{"essential":true}}}') // { idToken: ['email'], userinfo: [], subject: null, essentialAcr: null }
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
  // A subject named in both members must be the same user, or no user can satisfy the request.
  if (idToken.subject !== null && userinfo.subject !== null && idToken.subject !== userinfo.subject) return 'invalid';
  return { idToken: idToken.names, userinfo: userinfo.names, subject: idToken.subject ?? userinfo.subject, essentialAcr: idToken.essentialAcr };
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
