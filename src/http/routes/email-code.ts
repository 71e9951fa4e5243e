import type { FastifyInstance } from 'fastify';
import { normalizeEmail } from '../../core/accounts/normalize-email.ts';
import { logInWithEmailCode, requestLoginCode } from '../../core/credentials/email-code-login.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { sendEmailCode } from '../../core/otp/email-code.ts';
import { problem, sendProblem } from '../plugins/problem.ts';
import { checkEmailResponse, emailBody, errorResponses, sessionBody, userAndSessionResponse, userBody } from '../schemas.ts';
import { currentSession, requestContext, requireSession, setPendingLoginCookie, setSessionCookie } from '../session-cookie.ts';

/** Emailed one-time codes: passwordless login, and re-authentication before sensitive changes. */
export function emailCodeRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string } }>(
    '/v1/email-code',
    {
      schema: {
        tags: ['session'],
        summary: 'Mail a sign-in code (passwordless login).',
        description: 'Answers 202 alike whether or not the address has an account. The code has 6 digits (configurable up to 8), works 10 minutes, once; a new one voids the old one. At most one mail a minute per address.',
        body: emailBody,
        response: { 202: checkEmailResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      await requestLoginCode(deps, request.body.email, requestContext(request));
      return reply.code(202).send({ status: 'check_email', email: normalizeEmail(request.body.email) ?? request.body.email });
    },
  );

  app.post<{ Body: { email: string; code: string } }>(
    '/v1/session/email-code',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with an emailed code; sets the session cookie.',
        description: 'Wrong codes are capped per account (429 with Retry-After). An account with TOTP gets 401 `second_factor_required` and the pending-login cookie, as after a password.',
        body: {
          type: 'object',
          required: ['email', 'code'],
          additionalProperties: false,
          properties: { email: { type: 'string', minLength: 1, maxLength: 1024 }, code: { type: 'string', minLength: 1, maxLength: 16 } },
        },
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const previous = await currentSession(deps, request);
      const step = await logInWithEmailCode(deps, { ...request.body, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request));
      if (step.kind === 'second_factor') {
        setPendingLoginCookie(reply, step.pendingToken);
        return sendProblem(reply, problem('second_factor_required', { detail: 'Send a TOTP code or a recovery code to POST /v1/session/second-factor.' }));
      }
      setSessionCookie(reply, step.token, step.session.expiresAtMs);
      return { user: userBody(step.user), session: sessionBody(step.session, deps.sessionPolicy.idleTimeoutMs, step.session.id) };
    },
  );

  app.post(
    '/v1/me/reauth-code',
    {
      schema: {
        tags: ['two-factor'],
        summary: 'Mail a re-authentication code to the signed-in account (purpose reauth): sent as `emailCode` to turn TOTP off or make new recovery codes.',
        response: { 202: checkEmailResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { user } = await requireSession(deps, request);
      await sendEmailCode(deps, user, 'reauth', requestContext(request));
      return reply.code(202).send({ status: 'check_email', email: user.email });
    },
  );
}
