import type { Client, ClientStore, SessionWithUser } from '../ports.ts';
import { verifyIdTokenHint, type IdTokenHint, type IdTokenHintDeps } from './verify-id-token-hint.ts';

/** The parameters of an RP-initiated logout request (RP-Initiated Logout 1.0 §2), as sent. */
export interface EndSessionParams {
  idTokenHint?: string;
  clientId?: string;
  postLogoutRedirectUri?: string;
  state?: string;
}

/** Why a logout request is refused with an error page: nothing ends and nothing redirects. */
export type EndSessionRefusal =
  | 'invalid_id_token_hint'
  | 'unknown_client'
  | 'client_mismatch'
  | 'unregistered_post_logout_redirect_uri'
  | 'post_logout_redirect_uri_without_id_token_hint';

export type EndSessionDecision =
  | { kind: 'refused'; reason: EndSessionRefusal }
  | {
      kind: 'log_out';
      /** The app that asked, when it can be told (by the hint or `client_id`). */
      client: Client | null;
      /** Where to send the browser afterwards (`state` added), or null: show the logged-out page. */
      redirectTo: string | null;
      /**
       * True when the user must confirm first: without a verified hint of this very session, a
       * link from anywhere could otherwise end it (logout CSRF, docs/security.md SEC-222).
       */
      confirm: boolean;
    };

export interface EndSessionDeps extends IdTokenHintDeps {
  clients: Pick<ClientStore, 'findById'>;
}

/** True when the hint names the browser's own session: its user and, when it carries one, its sid. */
function hintIsForSession(hint: IdTokenHint, current: SessionWithUser): boolean {
  return hint.sub === current.user.id && (hint.sid === null || hint.sid === current.session.id);
}

/** `uri` with `state` added to its query, keeping the query it was registered with. */
function withState(uri: string, state: string | undefined): string {
  if (state === undefined || state === '') return uri;
  const url = new URL(uri);
  url.searchParams.append('state', state);
  return url.href;
}

/**
 * Decides what an RP-initiated logout request does, before anything ends. The hint must verify
 * against our own keys (SEC-221); `client_id`, when sent too, must be one of its audiences. The
 * browser is sent back only to a `post_logout_redirect_uri` the app registered, compared exactly,
 * and only with a verified hint, so the endpoint is never an open redirect (SEC-220); a URI that
 * is not registered is an error page, not a silent logout elsewhere. Without a hint of the
 * current session the user confirms first (SEC-222).
 *
 * @example
 * const decision = await decideEndSession(deps, { idTokenHint, postLogoutRedirectUri, state }, current);
 */
export async function decideEndSession(deps: EndSessionDeps, params: EndSessionParams, current: SessionWithUser | null): Promise<EndSessionDecision> {
  const hint = params.idTokenHint === undefined || params.idTokenHint === '' ? null : await verifyIdTokenHint(deps, params.idTokenHint);
  if (params.idTokenHint !== undefined && params.idTokenHint !== '' && hint === null) return { kind: 'refused', reason: 'invalid_id_token_hint' };

  let client: Client | null = null;
  if (params.clientId !== undefined && params.clientId !== '') {
    client = await deps.clients.findById(params.clientId);
    if (client === null) return { kind: 'refused', reason: 'unknown_client' };
    if (hint !== null && !hint.aud.includes(client.id)) return { kind: 'refused', reason: 'client_mismatch' };
  } else if (hint !== null) {
    // An ID token with several audiences names the app in azp; ours have one, the client.
    client = await deps.clients.findById(hint.aud[0] as string);
    if (client === null) return { kind: 'refused', reason: 'unknown_client' };
  }

  let redirectTo: string | null = null;
  if (params.postLogoutRedirectUri !== undefined && params.postLogoutRedirectUri !== '') {
    if (hint === null) return { kind: 'refused', reason: 'post_logout_redirect_uri_without_id_token_hint' };
    if (client === null || !client.postLogoutRedirectUris.includes(params.postLogoutRedirectUri)) return { kind: 'refused', reason: 'unregistered_post_logout_redirect_uri' };
    redirectTo = withState(params.postLogoutRedirectUri, params.state);
  }

  const confirm = current !== null && (hint === null || !hintIsForSession(hint, current));
  return { kind: 'log_out', client, redirectTo, confirm };
}
