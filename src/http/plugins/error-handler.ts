import type { FastifyError, FastifyInstance } from 'fastify';
import { AuthError, StorageUnavailableError } from '../../core/errors.ts';
import { html } from '../pages/html.ts';
import { sendPage } from '../pages/layout.ts';
import { problem, sendProblem, type Problem } from './problem.ts';

function fromFastifyError(error: FastifyError): Problem | null {
  if (error.validation !== undefined) {
    const errors = error.validation.map((v) => ({
      field: v.instancePath === '' ? String((v.params as { missingProperty?: string }).missingProperty ?? '') : v.instancePath.slice(1).replaceAll('/', '.'),
      message: v.message ?? 'invalid',
    }));
    return problem('validation_failed', { detail: error.message, errors });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('unsupported_media_type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('payload_too_large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem('validation_failed', { detail: 'The body is not valid JSON.' });
  }
  if (error instanceof SyntaxError || error.statusCode === 400) return problem('validation_failed', { detail: 'The request could not be parsed.' });
  if (error.statusCode === 415) return problem('unsupported_media_type');
  if (error.statusCode === 413) return problem('payload_too_large');
  return null;
}

/**
 * The one place errors become responses: AuthError -> its status and stable code,
 * request-shape errors -> 400/413/415, an unreachable database -> 503 (fail closed),
 * anything else -> 500 with nothing internal in the body (the log has it).
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let body: Problem;
    let retryAfterSeconds: number | undefined;
    if (error instanceof AuthError) {
      body = problem(error.code, { detail: error.detail });
      retryAfterSeconds = error.retryAfterSeconds;
    } else if (error instanceof StorageUnavailableError) {
      request.log.error({ err: error }, 'storage unavailable');
      body = problem('service_unavailable');
      retryAfterSeconds = 5;
    } else {
      const known = fromFastifyError(error);
      if (known === null) request.log.error({ err: error }, 'unhandled error');
      body = known ?? problem('internal_error');
    }
    // A person in a browser gets a page, never a stack trace or raw JSON.
    if (!request.url.startsWith('/v1/') && String(request.headers.accept ?? '').includes('text/html')) {
      if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
      return sendPage(reply, body.status, {
        title: body.title,
        body: html`<section class="card narrow" role="alert"><h1>${body.title}</h1>${body.detail === undefined ? '' : html`<p>${body.detail}</p>`}
<p class="muted">Error code: <code>${body.code}</code></p><p><a href="/">Back to the start</a></p></section>`,
      });
    }
    return sendProblem(reply, body, retryAfterSeconds);
  });
  app.setNotFoundHandler(async () => {
    throw new AuthError('not_found');
  });
}
