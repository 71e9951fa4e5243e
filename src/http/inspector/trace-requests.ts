import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Random } from '../../core/ports.ts';
import { isCrossSiteRequest } from '../plugins/csrf.ts';
import { cookieStep } from './cookie-steps.ts';
import type { OpenTrace, RequestRecorder } from './request-recorder.ts';

/**
 * The inspector's flow cookie: a random id that groups one browser's requests into one timeline.
 * It is made from fresh random bytes and derived from no secret, so showing it reveals nothing;
 * HttpOnly and SameSite=Lax anyway, like every cookie here (docs/security.md SEC-252).
 */
export const flowCookieName = '__Host-gatehouse_flow';
const flowIdPattern = /^[A-Za-z0-9_-]{16}$/;
const flowCookieMaxAgeSeconds = 24 * 60 * 60;

/** The inspector's own traffic and static files are not traced: watching must not change what is watched. */
const untraced = /^\/(dev\/inspector|admin\/inspector|dev\/mail|assets\/|favicon\.|healthz|readyz|openapi\.json)/;

declare module 'fastify' {
  interface FastifyRequest {
    inspectorTrace?: OpenTrace;
    inspectorNewFlow?: string;
  }
}

/** The names in a Cookie header, never the values. */
function cookieNames(header: string | undefined): string[] {
  if (header === undefined) return [];
  return header
    .split(';')
    .map((pair) => pair.slice(0, Math.max(pair.indexOf('='), 0)).trim())
    .filter((name) => name !== '');
}

function flowIdOf(request: FastifyRequest, random: Random): { flowId: string; isNew: boolean } {
  const fromCookie = /(?:^|;\s*)__Host-gatehouse_flow=([^;]*)/.exec(request.headers.cookie ?? '')?.[1];
  if (fromCookie !== undefined && flowIdPattern.test(fromCookie)) return { flowId: fromCookie, isNew: false };
  return { flowId: Buffer.from(random.bytes(12)).toString('base64url'), isNew: true };
}

function requestStep(request: FastifyRequest, path: string, publicUrl: string): Parameters<RequestRecorder['step']>[0] {
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const refused = unsafe && isCrossSiteRequest(request, publicUrl);
  const originCheck = !unsafe
    ? 'not needed: a safe method changes nothing'
    : refused
      ? `refused: ${site !== undefined ? `Sec-Fetch-Site is ${site}` : `Origin ${String(origin)} is not ${publicUrl}`}`
      : site !== undefined
        ? `passed: Sec-Fetch-Site is ${site}`
        : origin !== undefined
          ? `passed: Origin is ${origin}`
          : 'passed: no Origin and no Sec-Fetch-Site, so not a browser, and no ambient cookie to abuse';
  const url = new URL(request.url, 'http://x');
  return {
    kind: 'request',
    title: `${request.method} ${path}`,
    outcome: refused ? 'refused' : 'info',
    detail: {
      method: request.method,
      path,
      queryParameters: [...new Set(url.searchParams.keys())],
      cookiesArrived: cookieNames(request.headers.cookie),
      originCheck,
      ...(request.headers.authorization === undefined ? {} : { authorization: request.headers.authorization.split(' ')[0] ?? '' }),
    },
    teach: 'csrf-origin',
  };
}

/**
 * Traces every request while the inspector is on: registered before the CSRF check, so a refused
 * request shows why. Each request's steps (the core's, through the recorder, and the cookies the
 * response sets) become one trace when the response is sent.
 */
export function registerRequestTracing(app: FastifyInstance, recorder: RequestRecorder, random: Random, publicUrl: string): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?')[0] ?? '/';
    if (untraced.test(path)) {
      done();
      return;
    }
    const { flowId, isNew } = flowIdOf(request, random);
    const trace = recorder.open(flowId, `${request.method} ${path}`);
    request.inspectorTrace = trace;
    if (isNew) request.inspectorNewFlow = flowId;
    recorder.append(trace, requestStep(request, path, publicUrl));
    recorder.run(trace, done);
  });
  // A body is read on the socket's own callbacks: enter the trace again before the handler runs.
  app.addHook('preHandler', (request, _reply, done) => {
    if (request.inspectorTrace === undefined) done();
    else recorder.run(request.inspectorTrace, done);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.inspectorNewFlow !== undefined) {
      reply.header('set-cookie', `${flowCookieName}=${request.inspectorNewFlow}; Max-Age=${String(flowCookieMaxAgeSeconds)}; Path=/; HttpOnly; Secure; SameSite=Lax`);
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const trace = request.inspectorTrace;
    if (trace !== undefined) {
      const raw = reply.getHeader('set-cookie');
      const headers = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
      const nowMs = recorder.log.clock.nowMs();
      for (const header of headers) recorder.append(trace, cookieStep(header, nowMs));
      const location = reply.getHeader('location');
      recorder.append(trace, {
        kind: 'response',
        title: `${String(reply.statusCode)} ${location === undefined ? String(reply.getHeader('content-type') ?? '').split(';')[0] : `to ${String(location).split('?')[0]}`}`,
        outcome: reply.statusCode >= 400 ? 'refused' : 'info',
        detail: { status: reply.statusCode, ...(location === undefined ? {} : { redirectTo: String(location).split('?')[0] ?? '' }) },
      });
      recorder.close(trace, reply.statusCode);
    }
    done();
  });
}
