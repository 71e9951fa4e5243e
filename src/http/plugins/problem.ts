import type { FastifyReply } from 'fastify';
import { errorCatalog, type ErrorCode } from '../../core/errors.ts';

/** The JSON Schema of every error body (RFC 9457 problem details plus our stable `code`). */
export const problemSchema = {
  $id: 'problem',
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string', description: 'A URL naming the error code in docs/errors.md.' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(errorCatalog) },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'For validation_failed: each field that failed.',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
} as const;

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

export function problem(code: ErrorCode, extra: { detail?: string | undefined; errors?: Problem['errors'] } = {}): Problem {
  const { status, title } = errorCatalog[code];
  const body: Problem = { type: `https://gatehouse.dev/errors#${code}`, title, status, code };
  if (extra.detail !== undefined) body.detail = extra.detail;
  if (extra.errors !== undefined) body.errors = extra.errors;
  return body;
}

export function sendProblem(reply: FastifyReply, body: Problem, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(body.status).type('application/problem+json').send(body);
}
