import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { confirmTotpEnrolment } from '../../core/otp/confirm-totp-enrolment.ts';
import { disableTotp } from '../../core/otp/disable-totp.ts';
import { regenerateRecoveryCodes } from '../../core/otp/regenerate-recovery-codes.ts';
import { startTotpEnrolment } from '../../core/otp/start-totp-enrolment.ts';
import { twoFactorStatus } from '../../core/otp/two-factor-status.ts';
import { qrSvg } from '../qr-svg.ts';
import { emptyBodyAsObject, reauthProof } from '../reauth-proof.ts';
import { errorResponses, reauthBody, reauthProperties, sessionBody, type ReauthBody } from '../schemas.ts';
import { requestContext, requireSession, setSessionCookie } from '../session-cookie.ts';

const recoveryCodesSchema = { type: 'array', items: { type: 'string' }, minItems: 10, maxItems: 10, description: 'Shown once; only their hashes are kept.' } as const;

/** TOTP two-factor for the signed-in account: status, enrol, confirm, disable, recovery codes. */
export function twoFactorRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get(
    '/v1/me/two-factor',
    {
      schema: {
        tags: ['two-factor'],
        summary: 'Whether TOTP is on (or pending), and how many recovery codes are left.',
        response: {
          200: { type: 'object', required: ['totp', 'recoveryCodesLeft'], properties: { totp: { type: 'string', enum: ['off', 'pending', 'on'] }, recoveryCodesLeft: { type: 'integer' } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { user } = await requireSession(deps, request);
      return twoFactorStatus(deps, user.id);
    },
  );

  app.post<{ Body: ReauthBody }>(
    '/v1/me/two-factor/totp',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        body: reauthBody,
        tags: ['two-factor'],
        summary: 'Start TOTP enrolment: a new secret, its otpauth URI and a QR code (SVG). Needs a recent login or re-authentication; only this session may confirm it.',
        response: {
          200: { type: 'object', required: ['secret', 'otpauthUri', 'qrSvg'], properties: { secret: { type: 'string' }, otpauthUri: { type: 'string' }, qrSvg: { type: 'string' } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const current = await requireSession(deps, request);
      const { secret, uri } = await startTotpEnrolment(deps, current, reauthProof(request.body), requestContext(request));
      return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
    },
  );

  app.post<{ Body: { code: string; password?: string; emailCode?: string } }>(
    '/v1/me/two-factor/totp/confirm',
    {
      schema: {
        tags: ['two-factor'],
        summary: 'Confirm the enrolment with a first code (and the password or an emailed reauth code, unless the session re-authenticated recently): TOTP is on; returns 10 recovery codes and a new session.',
        body: {
          type: 'object',
          required: ['code'],
          additionalProperties: false,
          maxProperties: 2,
          properties: { code: { type: 'string', minLength: 1, maxLength: 16 }, password: reauthProperties.password, emailCode: reauthProperties.emailCode },
        },
        response: { 200: { type: 'object', required: ['recoveryCodes', 'session'], properties: { recoveryCodes: recoveryCodesSchema, session: { $ref: 'session#' } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      const { code, password, emailCode } = request.body;
      const done = await confirmTotpEnrolment(deps, current, code, reauthProof({ password, emailCode }), requestContext(request));
      setSessionCookie(reply, done.token, done.session.expiresAtMs);
      return { recoveryCodes: done.recoveryCodes, session: sessionBody(done.session, deps.sessionPolicy.idleTimeoutMs, done.session.id) };
    },
  );

  app.delete<{ Body: ReauthBody }>(
    '/v1/me/two-factor/totp',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['two-factor'],
        summary: 'Turn TOTP off (and drop the recovery codes); needs a recent re-authentication, or the password, an emailed reauth code or an authenticator code sent along.',
        body: reauthBody,
        response: { 204: { type: 'null', description: 'Off.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      await disableTotp(deps, current, reauthProof(request.body), requestContext(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Body: ReauthBody }>(
    '/v1/me/two-factor/recovery-codes',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['two-factor'],
        summary: 'Make 10 new recovery codes (the old ones stop working); needs a recent re-authentication, or the password, an emailed reauth code or an authenticator code sent along.',
        body: reauthBody,
        response: { 200: { type: 'object', required: ['recoveryCodes'], properties: { recoveryCodes: recoveryCodesSchema } }, ...errorResponses },
      },
    },
    async (request) => {
      const current = await requireSession(deps, request);
      return { recoveryCodes: await regenerateRecoveryCodes(deps, current, reauthProof(request.body), requestContext(request)) };
    },
  );
}
