import { adminPages } from './pages/admin/index.ts';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CoreDeps } from '../core/deps.ts';
import type { TokenDeps } from '../core/tokens/issue-access-token.ts';
import type { OAuthDeps } from '../core/oauth-client/oauth-deps.ts';
import { oauthRoutes } from './routes/oauth.ts';
import type { AppConfig } from './app-config.ts';
import { sessionTokenRoutes } from './routes/session-token.ts';
import { wellKnownRoutes } from './routes/well-known.ts';
import { tokenRoutes } from './routes/token.ts';
import { parRoutes } from './routes/par.ts';
import { revocationRoutes } from './routes/revocations.ts';
import { pages } from './pages/index.ts';
import { registerCsrfProtection } from './plugins/csrf.ts';
import { registerDevHostCheck } from './plugins/dev-host-check.ts';
import { registerErrorHandler } from './plugins/error-handler.ts';
import { lazySchemaCompilers, type LazySchemaCompilers } from './plugins/lazy-schema-compilers.ts';
import { collectRoutesForMethodNotAllowed } from './plugins/method-not-allowed.ts';
import { problem, problemSchema, sendProblem } from './plugins/problem.ts';
import { hooklessApiHeaders, registerSecurityHeaders } from './plugins/security-headers.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { meEmailRoutes } from './routes/me-email.ts';
import { meProfileRoutes } from './routes/me-profile.ts';
import { endSessionPages } from './pages/end-session.ts';
import { authorizePages } from './pages/authorize.ts';
import { userInfoRoutes } from './routes/userinfo.ts';
import { sessionRoutes } from './routes/session.ts';
import { sessionsRoutes } from './routes/sessions.ts';
import { userRoutes } from './routes/users.ts';
import { emailVerificationRoutes } from './routes/email-verification.ts';
import { passwordResetRoutes } from './routes/password-reset.ts';
import { twoFactorRoutes } from './routes/two-factor.ts';
import { emailCodeRoutes } from './routes/email-code.ts';
import { passkeyRoutes } from './routes/passkeys.ts';
import { passkeySessionRoutes } from './routes/passkey-session.ts';
import { reauthRoutes } from './routes/reauth.ts';
import { sessionSchema, userSchema } from './schemas.ts';
import { authCheckRoutes } from './routes/auth-check.ts';
import { sessionCookieSettings } from './session-cookie.ts';
import type { InspectorAudience } from './inspector/inspector-access.ts';
import type { RequestRecorder } from './inspector/request-recorder.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { RevocationBroadcaster } from './revocation-broadcaster.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The revocation feed's broadcaster (routes/revocations.ts), read by the metrics. */
    revocationFeed?: RevocationBroadcaster;
    /** Every real route: path -> methods (without the 405 stand-ins). For introspection and tests. */
    gatehouseRoutes: ReadonlyMap<string, ReadonlySet<string>>;
  }
}

/**
 * Dev mode's request log: nothing when a request comes in, one short line when it is answered
 * (`GET /account 200 4 ms`). The path only: a query string may carry a one-time token.
 */
class SummaryRequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = `${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${Math.round(reply.elapsedTime)} ms`;
    if (error) reply.log.error({ err: error }, line);
    else reply.log.info(line);
  }
}

export interface BuildAppOptions {
  deps: CoreDeps;
  tokens: TokenDeps;
  config: AppConfig;
  logger?: Logger;
  /** Social login; without it no provider is offered and the /v1/oauth routes do not exist. */
  oauth?: OAuthDeps;
  /**
   * `full` (the default): fastify's request logs, a line when a request comes in and one when it
   * is answered. `summary` (dev mode): one short line per answered request, method, path (never
   * the query, which may carry one-time tokens), status and time.
   */
  requestLog?: 'full' | 'summary';
  /** GET /metrics and the request metrics, when GATEHOUSE_METRICS_TOKEN is set; without it, no hook and no route. */
  metrics?: { metrics: Metrics; token: string };
  /** The inspector (/dev/inspector), when on: its recorder (also wired into `deps.trace`) and who may see it. */
  inspector?: { recorder: RequestRecorder; audience: InspectorAudience; accessRecheckMs?: number };
  /** The schema compilers (plugins/lazy-schema-compilers.ts); tests pass their own to compile every schema at once. */
  schemaCompilers?: LazySchemaCompilers;
}

/**
 * Builds the HTTP application without listening, so tests drive it with `app.inject()`.
 *
 * @example
 * const app = await buildApp({ deps, config: { publicUrl: 'https://auth.example.com', trustedProxies: [] } });
 * const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export async function buildApp({ deps, tokens, config, logger, oauth, requestLog = 'full', inspector, metrics, schemaCompilers = lazySchemaCompilers() }: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger === undefined ? { logger: false } : { loggerInstance: logger }),
    // X-Forwarded-For is honoured only from configured proxies (docs/security.md SEC-48).
    trustProxy: config.trustedProxies.length === 0 ? false : [...config.trustedProxies],
    bodyLimit: 1_048_576,
    // Remove __proto__ / constructor keys from JSON bodies instead of failing (docs/security.md SEC-52).
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Each route's schemas compiled on its first request, not all before listening (memory, start-up).
    schemaController: { compilersFactory: schemaCompilers.compilersFactory },
    return503OnClosing: true,
    ...(requestLog === 'summary' ? { logController: new SummaryRequestLog() } : {}),
    // The router refuses a malformed percent-encoding or an over-long path parameter before any
    // hook runs; answer those as problem+json too, not fastify's own JSON (docs/security.md SEC-161).
    frameworkErrors: (error, _request, reply) => {
      const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path segment is too long.' : 'The path is not validly encoded.';
      reply.headers(hooklessApiHeaders);
      return sendProblem(reply, problem('validation_failed', { detail }));
    },
  }) as unknown as FastifyInstance;

  const cookieSettings = sessionCookieSettings(config.session?.cookieDomain);
  app.decorate('sessionCookie', cookieSettings);
  // The inspector's request recorder is an onSend hook: with it on, every answer goes through fastify's pipeline (direct-reply.ts).
  app.decorate('directReplies', inspector === undefined);
  // JSON only: text/plain would otherwise be accepted and parsed as a string.
  app.removeContentTypeParser('text/plain');
  app.addSchema(problemSchema);
  app.addSchema(userSchema);
  app.addSchema(sessionSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: '0.1.0',
        description: 'Server sessions, JWTs and OAuth from one server. Errors are application/problem+json with a stable `code` (docs/errors.md).',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: { sessionCookie: { type: 'apiKey', in: 'cookie', name: cookieSettings.name } },
      },
    },
  });
  await app.register(cookie);
  registerErrorHandler(app);
  registerSecurityHeaders(app);
  // Dev mode: refuse a Host other than a loopback name before anything else runs (DNS rebinding).
  if (config.dev === true) registerDevHostCheck(app);
  // Loaded only when on: prom-client is not even imported otherwise.
  const metering = metrics === undefined ? undefined : { ...metrics, routes: await import('./metrics/metrics-route.ts') };
  metering?.routes.registerMetricsHooks(app, metering.metrics);
  // Loaded only when on, like the metrics. Its tracing hook goes before the CSRF check, so a refused request is traced with the reason.
  const inspecting =
    inspector === undefined
      ? undefined
      : {
          ...inspector,
          registerRequestTracing: (await import('./inspector/trace-requests.ts')).registerRequestTracing,
          inspectorRoutes: (await import('./inspector/inspector-routes.ts')).inspectorRoutes,
          comparePage: (await import('./inspector/compare-page.ts')).comparePage,
        };
  inspecting?.registerRequestTracing(app, inspecting.recorder, deps.random, config.publicUrl);
  registerCsrfProtection(app, config.publicUrl);
  const routeTable = collectRoutesForMethodNotAllowed(app);
  app.decorate('gatehouseRoutes', routeTable.routes);

  healthRoutes(app, deps);
  userRoutes(app, deps);
  emailVerificationRoutes(app, deps);
  passwordResetRoutes(app, deps);
  twoFactorRoutes(app, deps);
  emailCodeRoutes(app, deps);
  passkeyRoutes(app, deps);
  passkeySessionRoutes(app, deps);
  sessionRoutes(app, deps);
  sessionsRoutes(app, deps);
  meRoutes(app, deps);
  meEmailRoutes(app, deps);
  meProfileRoutes(app, deps);
  reauthRoutes(app, deps);
  sessionTokenRoutes(app, { ...deps, ...tokens });
  wellKnownRoutes(app, tokens);
  revocationRoutes(app, deps);
  authCheckRoutes(app, deps, config);
  if (oauth !== undefined) oauthRoutes(app, deps, oauth, config);
  await app.register(async (scope) => tokenRoutes(scope, { ...deps, ...tokens }));
  await app.register(async (scope) => parRoutes(scope, { ...deps, ...tokens }));
  await app.register(async (scope) => pages(scope, deps, config, oauth));
  await app.register(async (scope) => endSessionPages(scope, deps, tokens));
  await app.register(async (scope) => authorizePages(scope, deps, tokens));
  await app.register(async (scope) => userInfoRoutes(scope, { ...deps, ...tokens }));
  await app.register(async (scope) => adminPages(scope, deps, tokens, config, inspector?.audience));
  if (inspecting !== undefined) {
    inspecting.inspectorRoutes(app, deps, inspecting);
    // Its button posts a form: form bodies are parsed in its own scope only, as for the pages.
    await app.register(async (scope) => {
      await scope.register(formbody, { bodyLimit: 1024 });
      inspecting.comparePage(scope, deps, { ...inspecting, tokens, oauth });
    });
  }
  metering?.routes.metricsRoute(app, { ...metering, revocations: deps.store.revocations });
  app.get('/openapi.json', { schema: { tags: ['operations'], summary: 'This OpenAPI 3.1 document.' } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=60').send(app.swagger()),
  );
  routeTable.finish();
  await app.ready();
  return app;
}
