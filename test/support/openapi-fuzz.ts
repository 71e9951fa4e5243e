import { createHash, timingSafeEqual } from 'node:crypto';
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createClient } from '../../src/core/clients/create-client.ts';
import { connectProvider } from '../../src/core/oauth-client/connect-provider.ts';
import type { OAuthDeps } from '../../src/core/oauth-client/oauth-deps.ts';
import type { CoreDeps } from '../../src/core/deps.ts';
import type { PasswordHasher } from '../../src/core/credentials/argon2id.ts';
import { validateSession } from '../../src/core/sessions/validate-session.ts';
import { openSqliteStore, type SqliteStore } from '../../src/storage/sql/sqlite.ts';
import { seedSession, seedUser, testPassword } from './core-deps.ts';
import { createTestApp, testOrigin, type TestApp } from './http-app.ts';

/**
 * A property-based fuzzer over every operation in the app's own OpenAPI document (issue 17):
 * each case picks an operation and sends it, through `app.inject()`, a valid-shaped or invalid
 * body, query, path, headers, cookies, method and content type. After each case:
 *
 * - never a 5xx;
 * - an error is problem+json (a page's error is its HTML page, and the OAuth token endpoints
 *   answer RFC 6749 JSON errors);
 * - a refused request (4xx) changes no row: every table is compared before and after, except the
 *   ones that exist to count refusals (throttle, audit) and a session's last-seen time;
 * - no secret appears in a response (headers or body): the server's secrets, the seeded
 *   password and session secret, any password hash.
 *
 * The app runs in process on an in-memory SQLite store (a real SQL schema to compare), with a
 * fast stand-in for argon2id: hashing is not what is fuzzed, and it would take most of the time.
 */

const keySecret = 'test-secret-test-secret-test-secret-0123';
const oauthClientSecret = 'fuzz-oauth-client-secret-fuzz-oauth';

/** sha256, hex, behind the `$argon2id$` prefix so a leaked hash is still caught by the scan. */
const fastHasher: PasswordHasher = {
  hash: async (password) => `$argon2id$fuzz$${createHash('sha256').update(password).digest('hex')}`,
  async verify(stored, password) {
    const expected = Buffer.from(stored);
    const actual = Buffer.from(await fastHasher.hash(password));
    return { matches: expected.length === actual.length && timingSafeEqual(expected, actual), needsRehash: false };
  },
};

interface Operation {
  method: string;
  path: string;
  tags: readonly string[];
  query: Record<string, JsonSchema>;
  pathParams: readonly string[];
  bodySchema: JsonSchema | null;
  bodyType: 'json' | 'form' | 'none';
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  format?: string;
  $ref?: string;
};

function operations(doc: { paths: Record<string, Record<string, { tags?: string[]; parameters?: Array<{ in: string; name: string; schema: JsonSchema }>; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const json = content['application/json'];
      const form = content['application/x-www-form-urlencoded'];
      const tags = op.tags ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        tags,
        query: Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        bodySchema: json?.schema ?? form?.schema ?? null,
        bodyType: json !== undefined ? 'json' : form !== undefined ? 'form' : method === 'post' && tags.includes('pages') ? 'form' : 'none',
      });
    }
  }
  return ops;
}

/** Field names the pages and the token endpoints read from forms. */
const formFields = ['email', 'password', 'return_to', 'code', 'recoveryCode', 'token', 'currentPassword', 'newPassword', 'grant_type', 'client_id', 'client_secret', 'refresh_token', 'username', 'scope', 'audience', 'token_type_hint', 'confirm', 'id', 'done', 'id_token_hint', 'post_logout_redirect_uri', 'state', 'name', 'givenName', 'familyName', 'picture', 'locale'];

/** Strings that tend to break parsers and checks. */
const nasty = fc.constantFrom(
  '', ' ', '\u0000', '\r\n', '../../etc/passwd', '%00', '%2e%2e/', '//evil.example', 'https://evil.example', 'javascript:alert(1)', '<script>x</script>', "' OR 1=1 --",
  '__proto__', 'constructor', 'null', 'true', '-1', '1e309', 'NaN', '9'.repeat(40), 'a'.repeat(5000), 'é\u0301', '\uD800', '😀'.repeat(100), '\\u0000', '{"a":', 'x@y', 'a@b.co',
  'fuzz@example.com', 'x.y', 'AAAA.BBBB', 'password', 'refresh_token', 'fuzz-web',
);
const anyString = fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, { weight: 2, arbitrary: nasty });

/**
 * The seeded password goes only into password fields: a page that echoes the email field back is
 * right to, and the secret scan must not count that as a leak.
 */
const passwordField = (name: string): boolean => /password/i.test(name);

function valueFor(schema: JsonSchema | undefined, refs: Record<string, JsonSchema>, depth = 0, name = ''): fc.Arbitrary<unknown> {
  if (schema === undefined || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref !== undefined) return valueFor(refs[schema.$ref.replace(/^#\/components\/schemas\//, '').replace(/#$/, '')], refs, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const choices = schema.oneOf ?? schema.anyOf;
  if (choices !== undefined) return fc.oneof(...choices.map((c) => valueFor(c, refs, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'email') return fc.oneof(fc.emailAddress(), fc.constant('fuzz@example.com'));
      return fc.oneof(fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 64) }), nasty, ...(passwordField(name) ? [fc.constant(testPassword)] : []));
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -10, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor(schema.items, refs, depth + 1), { maxLength: 3 });
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, inner] of Object.entries(properties)) shape[key] = valueFor(inner, refs, depth + 1, key);
      return fc.record(shape, { requiredKeys: Object.keys(shape).filter((k) => required.has(k)) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

export interface FuzzRequest {
  op: string;
  options: InjectOptions;
}

interface Seeded {
  email: string;
  token: string;
}

function requestArbitrary(ops: readonly Operation[], refs: Record<string, JsonSchema>, seeded: () => Seeded): fc.Arbitrary<FuzzRequest> {
  const headerValue = fc.oneof(anyString.map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')), fc.constantFrom(testOrigin, 'null', 'https://evil.example'));
  const cookie = fc.constantFrom('none', 'seeded', 'garbage', 'forged', 'pending') as fc.Arbitrary<'none' | 'seeded' | 'garbage' | 'forged' | 'pending'>;
  return fc.constantFrom(...ops).chain((op) =>
    fc
      .record({
        method: fc.oneof({ weight: 9, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD') }),
        params: fc.array(fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), nasty.filter((s) => s !== '')), { minLength: op.pathParams.length, maxLength: op.pathParams.length }),
        query: fc.oneof(
          fc.record(Object.fromEntries(Object.entries(op.query).map(([k, s]) => [k, valueFor(s, refs).map(String)])), { requiredKeys: [] }),
          fc.dictionary(fc.oneof(fc.constantFrom(...formFields, 'since', 'return_to'), fc.string({ maxLength: 8 })), anyString, { maxKeys: 4 }),
        ),
        body: fc.oneof(
          { weight: 4, arbitrary: op.bodySchema !== null ? valueFor(op.bodySchema, refs) : fc.record(Object.fromEntries(formFields.map((f) => [f, passwordField(f) ? fc.oneof(anyString, fc.constant(testPassword)) : f === 'email' ? fc.oneof(anyString, fc.constant('fuzz@example.com')) : anyString])), { requiredKeys: [] }) },
          { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
          { weight: 1, arbitrary: fc.oneof(anyString, fc.constantFrom('{', '{"email":', '[]', '"x"', '{"__proto__":{"admin":true}}', '{"a":1,"a":2}')).map((raw) => ({ raw })) },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
        contentType: fc.oneof(
          { weight: 6, arbitrary: fc.constant(op.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json') },
          { weight: 2, arbitrary: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', 'APPLICATION/JSON', '', '*/*') },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
        origin: fc.oneof({ weight: 6, arbitrary: fc.constant(testOrigin) }, { weight: 2, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: headerValue }),
        fetchSite: fc.constantFrom(undefined, 'same-origin', 'cross-site', 'same-site', 'none'),
        cookie,
        extraCookie: fc.option(fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x21-\x7e]/g, '')), { nil: undefined }),
        authorization: fc.option(fc.oneof(fc.constantFrom('Bearer x', 'Basic ZnV6ei13ZWI6', 'Basic !!!', 'Basic ' + Buffer.from('fuzz-web:x').toString('base64'), 'DPoP abc'), headerValue), { nil: undefined }),
        forwarded: fc.option(fc.record({ 'x-forwarded-for': headerValue, 'x-forwarded-host': headerValue, 'x-forwarded-proto': headerValue, 'x-forwarded-uri': headerValue }, { requiredKeys: [] }), { nil: undefined }),
        accept: fc.option(fc.constantFrom('text/event-stream', 'application/json', 'text/html', '*/*', 'image/png'), { nil: undefined }),
        ip: fc.constantFrom('203.0.113.1', '203.0.113.2', '198.51.100.7', '2001:db8::1'),
        advanceSeconds: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 900 }) }),
      })
      .map((c): FuzzRequest => {
        let path = op.path;
        op.pathParams.forEach((name, i) => (path = path.replace(`{${name}}`, encodeURIComponent((c.params[i] ?? 'x').toWellFormed()))));
        const headers: Record<string, string> = {};
        if (c.origin !== undefined) headers.origin = c.origin;
        if (c.fetchSite !== undefined) headers['sec-fetch-site'] = c.fetchSite;
        if (c.authorization !== undefined) headers.authorization = c.authorization;
        if (c.accept !== undefined) headers.accept = c.accept;
        if (c.forwarded !== undefined) Object.assign(headers, c.forwarded);
        const cookies: string[] = [];
        const seed = seeded();
        if (c.cookie === 'seeded') cookies.push(`__Host-gatehouse_session=${seed.token}`);
        if (c.cookie === 'garbage') cookies.push('__Host-gatehouse_session=%%%;;=');
        if (c.cookie === 'forged') cookies.push(`__Host-gatehouse_session=${seed.token.split('.')[0] ?? ''}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
        if (c.cookie === 'pending') cookies.push('__Host-gatehouse_pending_login=eyJhbGciOiJkaXIifQ..x.y.z');
        if (c.extraCookie !== undefined) cookies.push(c.extraCookie);
        if (cookies.length > 0) headers.cookie = cookies.join('; ');
        let payload: string | undefined;
        if (c.body !== undefined && c.method !== 'GET' && c.method !== 'HEAD') {
          if (typeof c.body === 'object' && c.body !== null && 'raw' in c.body && Object.keys(c.body).length === 1) payload = String((c.body as { raw: unknown }).raw);
          else if (c.contentType?.includes('x-www-form-urlencoded') && typeof c.body === 'object' && c.body !== null && !Array.isArray(c.body)) {
            payload = new URLSearchParams(Object.entries(c.body).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();
          } else payload = JSON.stringify(c.body);
        }
        if (payload !== undefined && c.contentType !== undefined) headers['content-type'] = c.contentType;
        const query = Object.fromEntries(Object.entries(c.query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
        const options: InjectOptions = { method: c.method as InjectOptions['method'], url: path, query, headers, remoteAddress: c.ip };
        if (payload !== undefined) options.payload = payload;
        (options as { advanceSeconds?: number }).advanceSeconds = c.advanceSeconds;
        return { op: `${op.method} ${op.path}`, options };
      }),
  );
}

/**
 * Tables that change on a refused request by design: the ones that count refusals (throttle,
 * audit). Passkey ceremonies are not among them: the login page's challenge is stateless
 * (docs/security.md SEC-190), so a page view writes nothing.
 */
const countingTables = new Set(['throttle', 'audit', 'gatehouse_migrations', 'gatehouse_migrations_lock', 'sqlite_sequence']);

async function snapshot(store: SqliteStore): Promise<string> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(store.db);
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    if (countingTables.has(name)) continue;
    // No `order by rowid`: a WITHOUT ROWID table has none. The rows are sorted as text instead.
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(store.db);
    // A session's last-seen time moves whenever it is used, refused request or not.
    const cleaned = rows.rows.map((row) => (name === 'sessions' ? { ...row, last_seen_at: null, last_seen_at_ms: null } : row));
    const text = cleaned.map((row) => JSON.stringify(row, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? String(v) : v))).sort();
    parts.push(`${name}:[${text.join(',')}]`);
  }
  return parts.join('\n');
}

export interface FuzzHarness {
  app: FastifyInstance;
  run(request: FuzzRequest): Promise<void>;
  arbitrary: fc.Arbitrary<FuzzRequest>;
  close(): Promise<void>;
}

/** Whether a concrete path is one of the page routes (`/account/sessions/{id}/revoke` style templates). */
function pageMatcher(templates: readonly string[]): (path: string) => boolean {
  const patterns = templates.map((t) => new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`));
  return (path) => patterns.some((p) => p.test(path.split('?')[0] ?? ''));
}

/** The app, its seeded user, session and client, the request generator and the invariants. */
export async function createFuzzHarness(): Promise<FuzzHarness> {
  const store = await openSqliteStore(':memory:', { migrate: 'on-open' });
  // Social login with a GitHub provider, so the /v1/oauth routes are in the document too. Connecting
  // a GitHub provider needs no network, and no fuzzed request can get past the flow check to call it.
  const github = await connectProvider(
    { id: 'github', kind: 'github', displayName: 'GitHub', issuer: 'https://github.com', scopes: ['read:user', 'user:email'], clientId: 'fuzz-client', clientSecret: oauthClientSecret },
    { plainHttp: 'https-only' },
  );
  const oauth: OAuthDeps = { providers: new Map([['github', github]]), publicUrl: testOrigin, flowKey: new Uint8Array(32).fill(3), flowTtlMs: 600_000, linkByEmail: 'never', providerTokenKeys: null };
  const t: TestApp = await createTestApp({ store, hasher: fastHasher, oauth });
  const deps = t.core as CoreDeps;
  await createClient(deps, { id: 'fuzz-web', name: 'Fuzz web app', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.fuzz.invalid' });
  let seeded: Seeded = { email: 'fuzz@example.com', token: '' };
  const reseed = async (): Promise<void> => {
    let user = await deps.store.users.findByEmail(seeded.email);
    if (user === null) user = await seedUser(deps, seeded.email, testPassword);
    seeded = { email: seeded.email, token: (await seedSession(deps, user.id)).token };
  };
  await reseed();
  const doc = t.app.swagger() as unknown as Parameters<typeof operations>[0] & { components?: { schemas?: Record<string, JsonSchema> } };
  const ops = operations(doc);
  const isPage = pageMatcher(ops.filter((op) => op.tags.includes('pages')).map((op) => op.path));
  const refs = doc.components?.schemas ?? {};

  const secretsIn = (): string[] => [keySecret, oauthClientSecret, testPassword, '$argon2id$', seeded.token.split('.')[1] ?? 'unset'];

  return {
    app: t.app,
    arbitrary: requestArbitrary(ops, refs, () => seeded),
    async run(request) {
      // Keep the seeded session alive for the cases that present it (logout or deletion may end it).
      if (seeded.token === '' || (await validateSession(deps, seeded.token)) === null) await reseed();
      const advance = (request.options as { advanceSeconds?: number }).advanceSeconds ?? 0;
      if (advance > 0) t.core.clock.advance(advance * 1000);
      const before = await snapshot(store);
      let response: LightMyRequestResponse;
      try {
        response = await t.app.inject(request.options);
      } catch (error) {
        throw new Error(`${request.op}: inject threw: ${String(error)}`);
      }
      const where = `${String(request.options.method)} ${String(request.options.url)} (${request.op})`;
      const contentType = String(response.headers['content-type'] ?? '');
      if (response.statusCode >= 500) throw new Error(`${where}: ${response.statusCode} ${response.body.slice(0, 500)}`);
      if (response.statusCode >= 400 && request.options.method !== 'HEAD') {
        const path = String(request.options.url);
        const problemJson = contentType.startsWith('application/problem+json');
        // Pages answer with their own HTML; outside /v1 a browser (Accept: text/html) gets an error page.
        const wantsHtml = !path.startsWith('/v1/') && String(request.options.headers?.accept ?? '').includes('text/html');
        // Social login is a browser navigation: a failed one lands on a page saying what happened.
        const browserFlow = path.startsWith('/v1/oauth/');
        const page = (isPage(path) || wantsHtml || browserFlow) && contentType.startsWith('text/html');
        // OAuth answers its own JSON errors: the token endpoint (RFC 6749 5.2), the pushed
        // authorization request endpoint (RFC 9126 2.3, the token endpoint's format) and UserInfo (RFC 6750 3).
        const oauthJson = ['/v1/token', '/oauth2/par', '/oauth2/userinfo'].some((prefix) => path.startsWith(prefix)) && contentType.startsWith('application/json') && typeof (JSON.parse(response.body) as { error?: unknown }).error === 'string';
        if (!problemJson && !page && !oauthJson) throw new Error(`${where}: ${response.statusCode} answered ${contentType || 'no content type'}: ${response.body.slice(0, 300)}`);
        if (problemJson) {
          const body = JSON.parse(response.body) as { status?: unknown; code?: unknown };
          if (body.status !== response.statusCode || typeof body.code !== 'string') throw new Error(`${where}: problem body does not match: ${response.body.slice(0, 300)}`);
        }
      }
      if (response.statusCode >= 400) {
        const after = await snapshot(store);
        if (after !== before) throw new Error(`${where}: refused with ${response.statusCode} but changed rows:\n${diffLines(before, after)}`);
      }
      const headers = Object.entries(response.headers)
        .filter(([name]) => name !== 'set-cookie')
        .map(([name, value]) => `${name}: ${String(value)}`)
        .join('\n');
      for (const secret of secretsIn()) {
        if (response.body.includes(secret) || headers.includes(secret)) throw new Error(`${where}: the response contains a secret (${secret.slice(0, 6)}...)`);
      }
    },
    close: () => t.close(),
  };
}

function diffLines(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  return b.filter((line, i) => line !== a[i]).map((line) => line.slice(0, 400)).join('\n');
}

/**
 * Runs `runs` cases with `seed`; throws with the seed, the shrunk counterexample and the broken
 * invariant on failure.
 */
export async function runOpenApiFuzz(options: { runs: number; seed: number; onProgress?: (done: number) => void }): Promise<void> {
  const harness = await createFuzzHarness();
  let done = 0;
  try {
    await fc.assert(
      fc.asyncProperty(harness.arbitrary, async (request) => {
        await harness.run(request);
        done += 1;
        if (options.onProgress !== undefined && done % 1000 === 0) options.onProgress(done);
      }),
      { numRuns: options.runs, seed: options.seed, endOnFailure: true },
    );
  } catch (error) {
    // fast-check's message has the seed and the case; the broken invariant is its cause.
    const cause = error instanceof Error && error.cause instanceof Error ? `\n${error.cause.message}` : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}${cause}`, { cause: error });
  } finally {
    await harness.close();
  }
}
