import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBrowserAuth, GatehouseBrowserError } from '../../packages/browser/src/index.ts';

/**
 * How the helper reads the token endpoint's answers. The whole flow runs against a real server in
 * Chromium (create-browser-auth.e2e.test.ts); these pin the error mapping, where a fake fetch is
 * the only way to produce a 429 or a dropped connection on demand.
 */

const answer = (status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch =>
  async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

async function codeOf(promise: Promise<unknown>): Promise<GatehouseBrowserError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatehouseBrowserError, String(error));
    return error;
  }
  assert.fail('expected a GatehouseBrowserError');
}

const options = { clientId: 'web', issuer: 'https://auth.example.com', locks: null };

describe('createBrowserAuth error mapping', () => {
  it('invalid_grant is login_required on refresh and invalid_credentials on login', async () => {
    const auth = createBrowserAuth({ ...options, fetch: answer(400, { error: 'invalid_grant', error_description: 'No refresh token cookie: log in again.' }) });
    const refresh = await codeOf(auth.getAccessToken());
    assert.equal(refresh.code, 'login_required');
    assert.equal(refresh.oauthError, 'invalid_grant');
    assert.equal((await codeOf(auth.logIn('a@example.com', 'x'))).code, 'invalid_credentials');
  });

  it('429 is rate_limited with Retry-After; 5xx and a dropped connection are unavailable; other 4xx rejected', async () => {
    const limited = await codeOf(createBrowserAuth({ ...options, fetch: answer(429, { error: 'too_many_requests' }, { 'retry-after': '7' }) }).logIn('a@example.com', 'x'));
    assert.deepEqual([limited.code, limited.retryAfterSeconds], ['rate_limited', 7]);
    assert.equal((await codeOf(createBrowserAuth({ ...options, fetch: answer(503, { error: 'temporarily_unavailable' }) }).getAccessToken())).code, 'unavailable');
    const dropped: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    assert.equal((await codeOf(createBrowserAuth({ ...options, fetch: dropped }).getAccessToken())).code, 'unavailable');
    assert.equal((await codeOf(createBrowserAuth({ ...options, fetch: answer(401, { error: 'invalid_client' }) }).getAccessToken())).code, 'rejected');
  });

  it('posts form-encoded to the issuer token endpoint with the client id, and shares one request between concurrent callers', async () => {
    const calls: { url: string; body: string; credentials: string | undefined }[] = [];
    const fetchSpy: typeof fetch = async (url, init) => {
      calls.push({ url: String(url), body: String(init?.body), credentials: init?.credentials });
      return new Response(JSON.stringify({ access_token: `token-${calls.length}`, token_type: 'Bearer', expires_in: 300 }), { status: 200 });
    };
    const auth = createBrowserAuth({ ...options, issuer: 'https://auth.example.com/', fetch: fetchSpy });
    const tokens = await Promise.all([auth.getAccessToken(), auth.getAccessToken(), auth.getAccessToken()]);
    assert.deepEqual(tokens, ['token-1', 'token-1', 'token-1']);
    assert.deepEqual(calls, [{ url: 'https://auth.example.com/v1/token', body: 'grant_type=refresh_token&client_id=web', credentials: 'same-origin' }]);
    assert.equal(await auth.getAccessToken(), 'token-1', 'held while fresh');
  });

  it("credential 'session': tokens from POST /v1/session/token (JSON); a 401 problem is login_required, a wrong password invalid_credentials", async () => {
    const calls: { url: string; method: string | undefined; body: string }[] = [];
    const fetchSpy: typeof fetch = async (url, init) => {
      calls.push({ url: String(url), method: init?.method, body: String(init?.body) });
      return new Response(JSON.stringify({ type: 'about:blank', title: 'Not logged in.', status: 401, code: 'unauthenticated' }), { status: 401 });
    };
    const auth = createBrowserAuth({ ...options, credential: 'session', fetch: fetchSpy });
    assert.equal((await codeOf(auth.getAccessToken())).code, 'login_required');
    assert.deepEqual(calls[0], { url: 'https://auth.example.com/v1/session/token', method: 'POST', body: '{"client_id":"web"}' });
    const wrong = createBrowserAuth({ ...options, credential: 'session', fetch: answer(401, { status: 401, code: 'invalid_credentials', detail: 'Wrong email or password.' }) });
    const refused = await codeOf(wrong.logIn('a@example.com', 'x'));
    assert.deepEqual([refused.code, refused.message], ['invalid_credentials', 'Wrong email or password.']);
    await auth.logOut();
    assert.deepEqual(calls.at(-1), { url: 'https://auth.example.com/v1/session', method: 'DELETE', body: 'undefined' }, 'logging out with no session left is fine');
  });

  it('needs an issuer outside a page', () => {
    assert.throws(() => createBrowserAuth({ clientId: 'web' }), /issuer/);
  });
});
