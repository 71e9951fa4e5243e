import type { CoreDeps } from '../deps.ts';
import type { User, UserProfile } from '../ports.ts';

/** The OpenID Connect standard claims Gatehouse answers (OIDC Core §5.1), by scope. */
export interface UserClaims {
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  locale?: string;
  /** Seconds since the epoch. */
  updated_at?: number;
  email?: string;
  email_verified?: boolean;
}

/** What the claims are made of, as the store holds it. */
export interface ClaimSources {
  user: User;
  profile: UserProfile | null;
  /** The verified address and when, or null (core/accounts/ports.ts EmailVerificationStore). */
  verifiedEmail: { email: string; verifiedAtMs: number } | null;
}

/**
 * The claims `scopes` grant, for /userinfo and the ID token: `profile` gives name, given_name,
 * family_name, picture, locale and updated_at; `email` gives email and email_verified; `sub` is
 * always there. A claim the user never gave is left out, not sent as null (OIDC Core §5.3.2).
 * email_verified is true only while the current address is the one proved.
 *
 * @example
 * claimsForScopes(sources, ['openid', 'email']) // { sub, email, email_verified }
 */
export function claimsForScopes({ user, profile, verifiedEmail }: ClaimSources, scopes: readonly string[]): UserClaims {
  const claims: UserClaims = { sub: user.id };
  if (scopes.includes('profile')) {
    if (profile?.name != null) claims.name = profile.name;
    if (profile?.givenName != null) claims.given_name = profile.givenName;
    if (profile?.familyName != null) claims.family_name = profile.familyName;
    if (profile?.picture != null) claims.picture = profile.picture;
    if (profile?.locale != null) claims.locale = profile.locale;
    claims.updated_at = Math.floor(Math.max(user.updatedAtMs, profile?.updatedAtMs ?? 0) / 1000);
  }
  if (scopes.includes('email')) {
    claims.email = user.email;
    claims.email_verified = verifiedEmail !== null && verifiedEmail.email === user.email;
  }
  return claims;
}

/**
 * Loads what the claims of `scopes` need and answers them; null when the user no longer exists.
 * `scopes` may be a space-separated scope string.
 *
 * @example
 * const claims = await userClaims(deps, userId, 'openid profile email');
 */
export async function userClaims(deps: Pick<CoreDeps, 'store'>, userId: string, scopes: readonly string[] | string): Promise<UserClaims | null> {
  const list = typeof scopes === 'string' ? scopes.split(' ').filter((s) => s !== '') : scopes;
  const user = await deps.store.users.findById(userId);
  if (user === null) return null;
  const profile = list.includes('profile') ? await deps.store.profiles.find(userId) : null;
  const verifiedEmail = list.includes('email') ? await deps.store.emailVerifications.find(userId) : null;
  return claimsForScopes({ user, profile, verifiedEmail }, list);
}
