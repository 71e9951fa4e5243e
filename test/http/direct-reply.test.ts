// Direct replies (src/http/direct-reply.ts): a session check answered from memory, forward
// auth's 204, the token endpoint's JSON and the authorization endpoint's 303 with a code, written without fastify's send pipeline. Each must be the pipeline's answer byte for
// byte, and be used only where that is safe.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Store } from '../../src/core/ports.ts';
import { createTraceLog } from '../../src/core/trace/trace-log.ts';
import { createRequestRecorder } from '../../src/http/inspector/request-recorder.ts';
import { createMemoryStore } from '../../src/storage/memory/memory-store.ts';
import { withSessionCache } from '../../src/storage/session-cache.ts';
import { createClient } from '../../src/core/clients/create-client.ts';
import { createManualClock, testPassword } from '../support/core-deps.ts';
import { forwardedFor, statusModeForwardAuth, trustedProxy } from '../support/forward-auth.ts';
import { createTestApp, signUpThroughApi, withSession, type TestApp } from '../support/http-app.ts';

const proxy = trustedProxy;
const forwarded = (uri: string): Record<string, string> => forwardedFor(uri);

/** Status, every header but Date in the order written, and the body. */
function answer(response: LightMyRequestResponse): { status: number; headers: [string, unknown][]; body: string } {
  return { status: response.statusCode, headers: Object.entries(response.headers).filter(([name]) => name !== 'date'), body: response.body };
}

/** The onSend hooks printRoutes lists for one route line, e.g. `v1/session (GET)`. */
function onSendHooksOf(app: FastifyInstance, route: string): string {
  const lines = app.printRoutes({ includeHooks: true, commonPrefix: false }).split('\n');
  const at = lines.findIndex((line) => line.trimEnd().endsWith(` ${route}`) || line.trimEnd().endsWith(`─ ${route}`));
  assert.ok(at >= 0, `no route ${route}`);
  const hooks = lines.slice(at + 1).find((line) => line.includes('(onSend)') || !line.includes('•'));
  return hooks?.includes('(onSend)') === true ? hooks.slice(hooks.indexOf('[')) : '';
}

/** The onSend hooks a direct reply stands in for: the cookie plugin's and the security headers'. */
const standInHooks = '["fastifyCookieOnSendHandler()","securityHeaders()"]';

/** `work` with a second app whose inspector is on: no direct replies, every answer through fastify's pipeline. */
async function withPipelineApp(work: (inspected: TestApp) => Promise<void>): Promise<void> {
  const inspected = await createTestApp({ inspector: { recorder: createRequestRecorder(createTraceLog({ nowMs: () => 0 })), audience: 'everyone' } });
  try {
    await work(inspected);
  } finally {
    await inspected.close();
  }
}

describe('direct replies of the session check, forward auth and the token endpoint (issue 17)', () => {
  let t: TestApp;
  let token: string;
  let store: Store;
  let fromMemory = 0;
  before(async () => {
    const clock = createManualClock();
    // As on SQLite: the session cache in front of the store.
    store = withSessionCache(createMemoryStore(), { ttlMs: 1000, clock });
    const find = store.sessionFromMemory?.bind(store) as NonNullable<Store['sessionFromMemory']>;
    store.sessionFromMemory = (id) => {
      const found = find(id);
      if (found !== undefined) fromMemory++;
      return found;
    };
    t = await createTestApp({
      clock,
      store,
      config: statusModeForwardAuth,
    });
    token = await signUpThroughApi(t.app, 'direct@example.com', testPassword);
  });
  after(() => t.close());

  /** The same request through the pipeline (no session in memory), then from memory. */
  async function bothWays(request: InjectOptions): Promise<{ pipeline: LightMyRequestResponse; direct: LightMyRequestResponse }> {
    const remembered = store.sessionFromMemory;
    delete store.sessionFromMemory;
    const pipeline = await t.app.inject(request);
    store.sessionFromMemory = remembered;
    const before = fromMemory;
    const direct = await t.app.inject(request);
    assert.equal(fromMemory, before + 1, 'the second answer came from memory');
    return { pipeline, direct };
  }

  it('GET /v1/session from memory is the pipeline answer: status, headers in order (security headers, no-store), body', async () => {
    const { pipeline, direct } = await bothWays({ method: 'GET', url: '/v1/session', headers: withSession(token) });
    assert.equal(pipeline.statusCode, 200);
    assert.deepEqual(answer(direct), answer(pipeline));
    assert.equal(direct.headers['cache-control'], 'no-store');
    assert.equal(direct.headers['x-content-type-options'], 'nosniff');
  });

  it("GET /v1/auth/check from memory is the pipeline's 204: the identity headers, then the security headers", async () => {
    const request: InjectOptions = { method: 'GET', url: '/v1/auth/check', remoteAddress: proxy, headers: { ...forwarded('/reports?q=1'), ...withSession(token) } };
    const { pipeline, direct } = await bothWays(request);
    assert.equal(pipeline.statusCode, 204);
    assert.deepEqual(answer(direct), answer(pipeline));
    assert.equal(direct.headers['x-gatehouse-email'], 'direct@example.com');
  });

  it('what memory cannot answer goes through the pipeline: a wrong secret, a second factor asked for, HEAD', async () => {
    const wrong = `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`;
    const refused = await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(wrong) });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8');
    const stepUp = await t.app.inject({ method: 'GET', url: '/v1/auth/check', remoteAddress: proxy, headers: { ...forwarded('/admin/x'), ...withSession(token) } });
    assert.equal(stepUp.statusCode, 403);
    assert.equal(stepUp.json<{ code: string }>().code, 'step_up_required');
    assert.equal(stepUp.headers['x-gatehouse-user'], undefined);
    const head = await t.app.inject({ method: 'HEAD', url: '/v1/session', headers: withSession(token) });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['cache-control'], 'no-store');
  });

  it('a session in memory due a last-seen write goes through the pipeline, which writes it; memory answers again after', async () => {
    const check = (): Promise<LightMyRequestResponse> => t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) });
    const lastSeenAt = (response: LightMyRequestResponse): string => response.json<{ session: { lastSeenAt: string } }>().session.lastSeenAt;
    t.core.clock.advance(t.core.sessionPolicy.touchIntervalMs - 500);
    const before = lastSeenAt(await check()); // read again (the cache's second is over), not written: no write due yet
    t.core.clock.advance(600);
    const found = fromMemory;
    const due = await check();
    assert.equal(fromMemory, found + 1, 'found in memory, with a write due');
    assert.notEqual(lastSeenAt(due), before);
    assert.equal(lastSeenAt(due), new Date(t.core.clock.nowMs()).toISOString(), 'written now by the pipeline');
    const next = await check();
    assert.equal(fromMemory, found + 2, 'from memory again');
    assert.deepEqual(answer(next), answer(due));
  });

  it("the two routes' only onSend hooks are the cookie plugin's and the security headers' (what a direct reply stands in for)", () => {
    assert.equal(t.app.directReplies, true);
    for (const route of ['v1/session (GET)', 'v1/auth/check (GET)']) {
      assert.equal(onSendHooksOf(t.app, route), standInHooks, `${route}: a new onSend hook must be done by src/http/direct-reply.ts too, or turn direct replies off`);
    }
  });

  it("the token endpoint's JSON to a client without a refresh cookie is the pipeline's answer: no-store and no-cache first, then the security headers", async () => {
    await withPipelineApp(async (inspected) => {
      assert.equal(inspected.app.directReplies, false);
      const grants = async (app: TestApp): Promise<LightMyRequestResponse[]> => {
        await signUpThroughApi(app.app, 'tokens@example.com', testPassword);
        await createClient(app.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
        const post = (fields: Record<string, string>) =>
          app.app.inject({ method: 'POST', url: '/v1/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ client_id: 'spa', ...fields }).toString() });
        const password = await post({ grant_type: 'password', username: 'tokens@example.com', password: testPassword });
        const refreshed = await post({ grant_type: 'refresh_token', refresh_token: password.json<{ refresh_token: string }>().refresh_token });
        return [password, refreshed];
      };
      // The inspector's only header is its flow cookie: what is left is the pipeline's answer.
      const shape = (response: LightMyRequestResponse) => ({
        status: response.statusCode,
        headers: answer(response).headers.filter(([name]) => name !== 'set-cookie' && name !== 'content-length'),
        length: response.headers['content-length'],
        keys: Object.keys(response.json()),
      });
      const [direct, pipeline] = [await grants(t), await grants(inspected)];
      for (const [i, response] of direct.entries()) {
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(shape(response), { ...shape(pipeline[i] as LightMyRequestResponse), length: String(Buffer.byteLength(response.body)) });
        assert.deepEqual(Object.keys(response.json()), ['access_token', 'token_type', 'expires_in', 'refresh_token', 'scope']);
        assert.equal(response.headers['cache-control'], 'no-store');
        assert.equal(response.headers.pragma, 'no-cache');
      }
      assert.equal(onSendHooksOf(t.app, 'v1/token (POST, GET, HEAD, PUT, PATCH, DELETE, OPTIONS)'), standInHooks, 'a new onSend hook on the token route must be done by src/http/direct-reply.ts too');
    });
  });

  it("the authorization endpoint's 303 with a code (single sign-on) is the pipeline's answer: no-store and the location first, then the security headers", async () => {
    await withPipelineApp(async (inspected) => {
      const redirectUri = 'https://rp.example.com/callback?from=rp';
      const authorize = async (app: TestApp, method: 'GET' | 'HEAD'): Promise<LightMyRequestResponse> => {
        const session = await signUpThroughApi(app.app, `sso-${method}@example.com`, testPassword);
        await createClient(app.core, { id: `rp-${method}`, name: 'RP', type: 'public', grantTypes: ['authorization_code'], redirectUris: [redirectUri], audience: 'https://api.example.com', skipConsent: true }).catch(() => undefined);
        const query = new URLSearchParams({ client_id: `rp-${method}`, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 's 1&2', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
        return app.app.inject({ method, url: `/oauth2/authorize?${query.toString()}`, headers: withSession(session) });
      };
      // The inspector's only header is its flow cookie; the code differs from one answer to the other.
      const shape = (response: LightMyRequestResponse) => ({
        status: response.statusCode,
        headers: answer(response).headers.filter(([name]) => name !== 'set-cookie').map(([name, value]) => [name, name === 'location' ? String(value).replace(/code=[^&]+/, 'code=C') : value]),
        body: response.body,
      });
      const [direct, pipeline] = [await authorize(t, 'GET'), await authorize(inspected, 'GET')];
      assert.equal(direct.statusCode, 303, direct.body);
      assert.deepEqual(shape(direct), shape(pipeline));
      const location = new URL(String(direct.headers.location));
      assert.equal(`${location.origin}${location.pathname}`, 'https://rp.example.com/callback');
      assert.deepEqual([...location.searchParams.keys()], ['from', 'code', 'state', 'iss']);
      assert.equal(location.searchParams.get('state'), 's 1&2');
      assert.equal(direct.headers['cache-control'], 'no-store');
      assert.equal(direct.headers['set-cookie'], undefined);
      // HEAD goes through the pipeline (no body either way).
      const head = await authorize(t, 'HEAD');
      assert.equal(head.statusCode, 303);
      assert.deepEqual(shape(head).headers.map(([name]) => name), shape(direct).headers.map(([name]) => name));
      assert.equal(onSendHooksOf(t.app, 'oauth2/authorize (GET, POST)'), standInHooks, 'a new onSend hook on the authorization endpoint must be done by src/http/direct-reply.ts too');
    });
  });

  it("with the inspector on there are no direct replies: its request recorder is an onSend hook", async () => {
    await withPipelineApp(async (inspected) => {
      assert.equal(inspected.app.directReplies, false);
      assert.notEqual(onSendHooksOf(inspected.app, 'v1/session (GET)'), standInHooks);
    });
  });
});
