import type { FastifyReply } from 'fastify';
import { hooklessApiHeaders } from './plugins/security-headers.ts';

/**
 * The hottest answers (a session check from memory, forward auth's 204, the token endpoint's
 * JSON to a client without a refresh cookie, the authorization endpoint's 303 with a code), written to the response
 * at once instead of through fastify's send pipeline: its serializer lookup, the onSend hooks and
 * the header merge cost more than the check itself (issue 17, target 2). The answer is byte for
 * byte what the pipeline writes, headers in the same order; the tests compare the two.
 *
 * Only what the skipped onSend hooks would do is done here: the security headers of a JSON
 * answer (plugins/security-headers.ts: SEC-50, SEC-51, `Cache-Control: no-store`), and nothing for
 * @fastify/cookie, since these answers set no cookie. So a route uses it only when those are its
 * only onSend hooks (buildApp's `directReplies`: false with the inspector on, whose request
 * recorder is an onSend hook too; test/http/direct-reply.test.ts checks the list). onResponse
 * hooks (metrics) and the request log still run: fastify runs them on the response's `finish`.
 * GET only: a HEAD answer goes through the pipeline, which drops the body.
 */

declare module 'fastify' {
  interface FastifyInstance {
    /** Whether routes may answer with direct replies (set once, in buildApp). */
    directReplies: boolean;
  }
}

const securityHeaders = Object.entries(hooklessApiHeaders).flat();
// The same after a route's own `Cache-Control: no-store`, which the security headers leave as it is.
const securityHeadersAfterNoStore = Object.entries(hooklessApiHeaders)
  .filter(([name]) => name !== 'cache-control')
  .flat();
const json = ['content-type', 'application/json; charset=utf-8'];
const jsonHeaders = [...json, ...securityHeaders];
// The token endpoint sets `Cache-Control: no-store` and `Pragma: no-cache` itself (RFC 6749 5.1),
// before the body's content type: the pipeline writes them first, and its security headers
// then leave Cache-Control as it is.
const tokenJsonHeaders = ['cache-control', 'no-store', 'pragma', 'no-cache', ...json, ...securityHeadersAfterNoStore];

function writeJson(reply: FastifyReply, headers: readonly string[], body: string): void {
  reply.hijack();
  reply.raw.writeHead(200, [...headers, 'content-length', String(Buffer.byteLength(body))]);
  reply.raw.end(body);
}

/** 200 with a body already serialized by the route's own response serializer. */
export function sendJsonDirect(reply: FastifyReply, body: string): void {
  writeJson(reply, jsonHeaders, body);
}

/** 200 from the token endpoint (no-store, no-cache), with a body serialized as the pipeline would (JSON.stringify: the route has no response schema). */
export function sendTokenJsonDirect(reply: FastifyReply, body: string): void {
  writeJson(reply, tokenJsonHeaders, body);
}

/**
 * 303 to `location`, with `Cache-Control: no-store` (RFC 6749 4.1.2 carries the code in it: the
 * pipeline writes the route's headers first, then the security headers of a non-HTML answer) and no body: the authorization endpoint's
 * answer with a code (authorization-response.ts), where no cookie has been set.
 */
export function sendSeeOtherDirect(reply: FastifyReply, location: string): void {
  reply.hijack();
  reply.raw.writeHead(303, ['cache-control', 'no-store', 'location', location, ...securityHeadersAfterNoStore, 'content-length', '0']);
  reply.raw.end();
}

/** A 204's whole header list: the route's own headers (lower-case names, valid values), then the security headers. */
export function noContentHeaders(headers: readonly string[]): readonly string[] {
  return [...headers, ...securityHeaders];
}

/** 204 with the headers `noContentHeaders` made (a route may keep such a list and send it again). */
export function sendNoContentDirect(reply: FastifyReply, headers: readonly string[]): void {
  reply.hijack();
  reply.raw.writeHead(204, headers as string[]);
  reply.raw.end();
}
