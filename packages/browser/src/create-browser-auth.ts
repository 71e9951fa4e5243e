import { GatehouseBrowserError } from './browser-auth-error.ts';

/**
 * The parts of the Web Locks API the helper uses (`navigator.locks`): structural, so the module
 * needs no DOM typings and a test can pass its own.
 *
 * @example
 * const locks: LockManagerLike = navigator.locks;
 */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Options of {@link createBrowserAuth}.
 *
 * @example
 * const options: BrowserAuthOptions = { clientId: 'web' };
 */
export interface BrowserAuthOptions {
  /** A public client: registered with `--refresh-token-delivery cookie` (the default way), or with the `session` grant. */
  clientId: string;
  /**
   * What the access tokens come from:
   * - `refresh_token` (default): the refresh token in the client's HttpOnly cookie, rotated on every use;
   *   `logIn()` is the password grant.
   * - `session`: the Gatehouse session cookie, for apps whose users log in on Gatehouse's own pages
   *   (password, or "Continue with Google/GitHub"); each token is `POST /v1/session/token`, and
   *   `logIn()`/`logOut()` create and end the session.
   */
  credential?: 'refresh_token' | 'session';
  /**
   * The Gatehouse origin. Default: the page's own origin. It must be the page's origin (served by
   * Gatehouse, or by a reverse proxy in front of both): the cookies are SameSite and Gatehouse
   * refuses state changes from any other origin.
   */
  issuer?: string;
  /** Refresh this long before the access token expires, so a request never leaves with a dying token. Default 30. */
  refreshMarginSeconds?: number;
  /** Cross-tab lock; default `navigator.locks`. `null` turns locking off (the server's grace window still saves the race). */
  locks?: LockManagerLike | null;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/**
 * What {@link createBrowserAuth} returns.
 *
 * @example
 * const auth: BrowserAuth = createBrowserAuth({ clientId: 'web' });
 */
export interface BrowserAuth {
  /** First-party login (the password grant). The refresh token lands in an HttpOnly cookie; the access token stays in memory. */
  logIn(email: string, password: string): Promise<void>;
  /** A valid access token: from memory, or refreshed through the cookie, once across all tabs. Throws `login_required` when logged out. */
  getAccessToken(): Promise<string>;
  /** Ends the session on the server (every tab, every token of it) and forgets the token here and in the other tabs. */
  logOut(): Promise<void>;
}

interface HeldToken {
  accessToken: string;
  /** Page clock, ms: when to stop using it (its expiry minus the margin). */
  renewAtMs: number;
}

/** The fields read from either answer shape: RFC 6749 (`error`) or problem+json (`code`). */
interface Answer {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
  code?: unknown;
  detail?: unknown;
}

type Body = { form: Record<string, string> } | { json: Record<string, string> } | null;

const tabMessage = { loggedOut: 'logged_out' } as const;

/**
 * The browser side of JWT mode: access tokens live only in this page's memory, the refresh token
 * only in an HttpOnly cookie that no script (an XSS included) can read.
 *
 * **Many tabs, one rotation.** Refresh tokens rotate on every use, so two tabs refreshing with
 * the same cookie race. `getAccessToken()` refreshes under a Web Lock named after the client: a
 * second tab waits, then refreshes with the cookie the first one left, so the rotation never
 * races. Where Web Locks are missing, the server still answers a same-moment repeat with the same
 * successor (its grace window), so the user stays logged in either way. Within a tab, concurrent
 * callers share one request.
 *
 * **Logout reaches every tab.** `logOut()` revokes the session on the server, which clears the
 * cookie, and tells the other tabs over a BroadcastChannel to forget their access tokens; their
 * next `getAccessToken()` throws `login_required`. Resource servers following the revocation feed
 * refuse the tokens already handed out within about a second.
 *
 * **After a login on Gatehouse's pages** (a password, or "Continue with Google"), use
 * `credential: 'session'`: tokens then come from the session cookie through
 * `POST /v1/session/token`, and there is no refresh token at all.
 *
 * @example
 * import { createBrowserAuth, GatehouseBrowserError } from '@gatehouse/browser';
 *
 * const auth = createBrowserAuth({ clientId: 'web' });
 * await auth.logIn(email, password);
 * const response = await fetch('/api/orders', { headers: { authorization: `Bearer ${await auth.getAccessToken()}` } });
 */
export function createBrowserAuth(options: BrowserAuthOptions): BrowserAuth {
  const pageOrigin = (globalThis as { location?: { origin?: string } }).location?.origin;
  const issuer = (options.issuer ?? pageOrigin ?? '').replace(/\/+$/, '');
  if (issuer === '') throw new TypeError('createBrowserAuth: give `issuer` when not running in a page.');
  const marginMs = (options.refreshMarginSeconds ?? 30) * 1000;
  const credential = options.credential ?? 'refresh_token';
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const locks = options.locks === undefined ? ((globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks ?? null) : options.locks;
  const lockName = `gatehouse-refresh:${issuer}:${options.clientId}`;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`gatehouse:${issuer}:${options.clientId}`) : null;

  // Outside a browser (server-side rendering, tests), Node's BroadcastChannel would keep the
  // process alive; browsers have no unref.
  (channel as { unref?: () => void } | null)?.unref?.();

  let held: HeldToken | null = null;
  let refreshing: Promise<string> | null = null;
  // Bumped at logout (here or in another tab): a refresh that started before it must not
  // bring a token back.
  let generation = 0;

  channel?.addEventListener('message', (event) => {
    if ((event as MessageEvent).data === tabMessage.loggedOut) {
      held = null;
      generation++;
    }
  });

  const fresh = (): string | null => (held !== null && Date.now() < held.renewAtMs ? held.accessToken : null);

  async function send(method: 'POST' | 'DELETE', path: string, body: Body): Promise<{ response: Response; answer: Answer }> {
    let response: Response;
    try {
      response = await doFetch(`${issuer}${path}`, {
        method,
        credentials: 'same-origin',
        ...(body === null
          ? {}
          : 'form' in body
            ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body.form).toString() }
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.json) }),
      });
    } catch (cause) {
      throw new GatehouseBrowserError('unavailable', 'Gatehouse could not be reached.', { cause });
    }
    const answer = (await response.json().catch(() => ({}))) as Answer;
    return { response, answer };
  }

  /**
   * Turns a refusal into the helper's codes. `refusal` is what "these credentials are no good"
   * means for the call: `login_required` when refreshing, `invalid_credentials` when logging in.
   */
  function failure(response: Response, answer: Answer, refusal: 'login_required' | 'invalid_credentials'): GatehouseBrowserError {
    const oauthError = typeof answer.error === 'string' ? answer.error : undefined;
    const problemCode = typeof answer.code === 'string' ? answer.code : undefined;
    const text = answer.error_description ?? answer.detail;
    const description = typeof text === 'string' ? text : `Gatehouse answered ${response.status}.`;
    const details = oauthError === undefined ? {} : { oauthError };
    if (response.status === 429) {
      const retryAfterSeconds = Number(response.headers.get('retry-after')) || undefined;
      return new GatehouseBrowserError('rate_limited', description, { ...details, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
    }
    const refused = oauthError === 'invalid_grant' || problemCode === 'unauthenticated' || problemCode === 'invalid_credentials';
    const code = refused ? refusal : response.status >= 500 ? 'unavailable' : 'rejected';
    return new GatehouseBrowserError(code, description, details);
  }

  /** Asks for an access token and holds it, unless a logout happened while it was on its way. */
  async function fetchToken(path: string, body: Body, refusal: 'login_required' | 'invalid_credentials'): Promise<string> {
    const startedAt = generation;
    const { response, answer } = await send('POST', path, body);
    if (!response.ok) throw failure(response, answer, refusal);
    if (typeof answer.access_token !== 'string' || typeof answer.expires_in !== 'number') throw new GatehouseBrowserError('unavailable', 'Gatehouse answered without an access token.');
    if (startedAt !== generation) throw new GatehouseBrowserError('login_required', 'Logged out while the token was on its way.');
    // expires_in is relative, so the page's clock never has to agree with the server's.
    held = { accessToken: answer.access_token, renewAtMs: Date.now() + Math.max(0, answer.expires_in * 1000 - marginMs) };
    return answer.access_token;
  }

  const newToken = (): Promise<string> =>
    credential === 'session'
      ? fetchToken('/v1/session/token', { json: { client_id: options.clientId } }, 'login_required')
      : fetchToken('/v1/token', { form: { grant_type: 'refresh_token', client_id: options.clientId } }, 'login_required');
  // Under the lock, look again: another caller in this tab may have refreshed while we waited.
  const refreshOnce = (): Promise<string> => {
    const current = fresh();
    return current !== null ? Promise.resolve(current) : newToken();
  };

  return {
    async logIn(email, password) {
      generation++;
      held = null;
      if (credential === 'refresh_token') {
        await fetchToken('/v1/token', { form: { grant_type: 'password', username: email, password, client_id: options.clientId } }, 'invalid_credentials');
        return;
      }
      const { response, answer } = await send('POST', '/v1/session', { json: { email, password } });
      if (!response.ok) throw failure(response, answer, 'invalid_credentials');
    },

    getAccessToken() {
      const current = fresh();
      if (current !== null) return Promise.resolve(current);
      refreshing ??= (locks === null ? refreshOnce() : locks.request(lockName, refreshOnce)).finally(() => {
        refreshing = null;
      });
      return refreshing;
    },

    async logOut() {
      held = null;
      generation++;
      channel?.postMessage(tabMessage.loggedOut);
      const { response, answer } =
        credential === 'session' ? await send('DELETE', '/v1/session', null) : await send('POST', '/v1/token/revoke', { form: { client_id: options.clientId } });
      // No session left to end is what logging out asked for.
      if (!response.ok && !(credential === 'session' && response.status === 401)) throw failure(response, answer, 'login_required');
    },
  };
}
