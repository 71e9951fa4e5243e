import { randomId } from '../sessions/session-token.ts';
import type { Clock, Random } from '../ports.ts';
import type { ActiveSigningKey } from '../tokens/key-ring.ts';
import { signJwt } from '../tokens/sign-jwt.ts';

/** The event a logout token carries (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const backchannelLogoutEvent = 'http://schemas.openid.net/event/backchannel-logout';

/** The `typ` header of a logout token (Back-Channel Logout 1.0 §2.4: `logout+jwt`). */
export const logoutTokenType = 'logout+jwt';

/**
 * A logout token lives two minutes, the spec's recommended bound: it is signed afresh at each
 * delivery attempt, so a retry hours later still carries a live token.
 */
export const logoutTokenTtlMs = 120_000;

export interface LogoutTokenDeps {
  clock: Clock;
  random: Random;
  /** `iss`: the public URL, as in the ID tokens. */
  issuer: string;
  /** The key that signs the client's ID tokens, so the app verifies both the same way. */
  signingKey(clientId: string): Promise<ActiveSigningKey>;
}

/** Who is logged out, and which app is told. */
export interface LogoutTokenSubject {
  clientId: string;
  /** The user id: the `sub` of the app's ID tokens. */
  sub: string;
  /** The Gatehouse session that ended: the `sid` of the app's ID tokens. */
  sid: string;
}

/**
 * Signs a back-channel logout token for one app: `typ: logout+jwt`, `iss`, `aud` (the client
 * id), `iat`, a short `exp`, a fresh `jti`, the back-channel logout event, `sub` and `sid`. Never a
 * `nonce`: a logout token must not be mistaken for an ID token (docs/security.md SEC-224).
 *
 * @example
 * const token = await signLogoutToken(deps, { clientId: 'app', sub: user.id, sid: session.id });
 */
export async function signLogoutToken(deps: LogoutTokenDeps, subject: LogoutTokenSubject): Promise<string> {
  const { kid, alg, privateKey } = await deps.signingKey(subject.clientId);
  const nowSeconds = Math.floor(deps.clock.nowMs() / 1000);
  return signJwt(
    { alg, kid, typ: logoutTokenType },
    {
      iss: deps.issuer,
      aud: subject.clientId,
      iat: nowSeconds,
      exp: nowSeconds + logoutTokenTtlMs / 1000,
      jti: randomId(deps.random),
      events: { [backchannelLogoutEvent]: {} },
      sub: subject.sub,
      sid: subject.sid,
    },
    privateKey,
  );
}
