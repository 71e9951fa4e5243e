import type { AuthorizationParams, Client, Consent, SessionWithUser } from '../ports.ts';
import { acrOf } from './issue-authorization-code.ts';
import type { OAuthRedirectError } from './parse-authorization-request.ts';
import { missingScopes } from './scopes.ts';

/** What the authorization endpoint does next with a checked request. */
export type AuthorizationDecision =
  /** The user must log in (no session), or log in again (`prompt=login`, `max_age`): `reauth` when a session exists. */
  | { kind: 'login'; reauth: boolean }
  /** The user must allow the app these scopes (all of the request's, listed for the page). */
  | { kind: 'consent' }
  /** Everything is settled: issue a code. */
  | { kind: 'issue' }
  | { kind: 'error'; oauthError: OAuthRedirectError };

export interface DecisionInput {
  client: Client;
  params: AuthorizationParams;
  current: SessionWithUser | null;
  /** The login must have happened at or after this instant (prompt=login, max_age); null when any will do. */
  loginAfterMs: number | null;
  consent: Consent | null;
  /** The verified `id_token_hint`'s subject; null without a hint. */
  hintSubject: string | null;
}

/**
 * When the login the request needs must have happened after: `prompt=login` asks for one from
 * now on, `max_age` for one no older than that many seconds (OIDC Core §3.1.2.1). Fixed when the
 * request arrives, so the login it leads to satisfies it when the browser comes back.
 */
export function loginAfterMsOf(params: Pick<AuthorizationParams, 'prompt' | 'maxAgeSeconds'>, nowMs: number): number | null {
  const bounds: number[] = [];
  if (params.prompt.includes('login')) bounds.push(nowMs);
  if (params.maxAgeSeconds !== null) bounds.push(nowMs - params.maxAgeSeconds * 1000);
  return bounds.length === 0 ? null : Math.max(...bounds);
}

/**
 * The next step of an authorization request, from the session, the consent on record and the
 * request's prompt. `prompt=none` never shows a page: it answers `login_required` or
 * `consent_required` instead, and never skips a consent the user has not given (SEC-205).
 * Consent is asked when the app is not registered to skip it and the user has not allowed every
 * scope asked, or when the request says `prompt=consent`. A `claims` request naming another user
 * (`sub` value), like an `id_token_hint` for another user, is `login_required`; an essential `acr`
 * the login did not reach is `access_denied` (`login_required` under `prompt=none`).
 *
 * @example
 * const decision = decideAuthorization({ client, params, current, loginAfterMs, consent, hintSubject: null });
 */
export function decideAuthorization(input: DecisionInput): AuthorizationDecision {
  const { client, params, current, loginAfterMs } = input;
  const none = params.prompt.includes('none');
  const error = (code: string, description: string): AuthorizationDecision => ({ kind: 'error', oauthError: { error: code, description } });
  const loggedInWell = current !== null && (loginAfterMs === null || current.session.authTimeMs >= loginAfterMs);
  if (!loggedInWell) {
    if (none) return error('login_required', current === null ? 'Nobody is logged in.' : 'The login is older than the request allows.');
    return { kind: 'login', reauth: current !== null };
  }
  // The app expects a particular user; another one is logged in here.
  if (input.hintSubject !== null && input.hintSubject !== current.user.id) return error('login_required', 'The user the id_token_hint names is not the one logged in.');
  // OIDC Core §5.5.1: a `sub` asked with a value is answered for that user only, never another.
  if (params.subject !== undefined && params.subject !== current.user.id) return error('login_required', 'The user the claims parameter names (sub) is not the one logged in.');
  // §5.5.1.1: an essential acr that the login did not reach is a failed authentication.
  if (params.essentialAcr !== undefined && !params.essentialAcr.includes(acrOf(current.session.amr))) {
    return error(none ? 'login_required' : 'access_denied', `The app requires acr ${params.essentialAcr.join(' or ')}; this login reached ${acrOf(current.session.amr)}. Log in with a second factor or a passkey.`);
  }
  const scopes = params.scope.split(' ');
  const consentNeeded = !client.skipConsent && (params.prompt.includes('consent') || missingScopes(scopes, input.consent?.scopes ?? []).length > 0);
  if (consentNeeded) return none ? error('consent_required', 'The user has not allowed this app what it asks for.') : { kind: 'consent' };
  return { kind: 'issue' };
}
