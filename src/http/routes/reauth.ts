import type { FastifyInstance } from 'fastify';
import { reauthenticate } from '../../core/accounts/reauthenticate.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { reauthProof } from '../reauth-proof.ts';
import { errorResponses, reauthProperties } from '../schemas.ts';
import { requestContext, requireSession } from '../session-cookie.ts';

/**
 * POST /v1/me/reauth (docs/security.md SEC-100): proves it is still the account's owner at the
 * keyboard, so the session may make sensitive changes for the next few minutes.
 */
export function reauthRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { password?: string; emailCode?: string; code?: string } }>(
    '/v1/me/reauth',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Re-authenticate: the password, a code from POST /v1/me/reauth-code (`emailCode`), or an authenticator code (`code`).',
        description:
          'Linking a provider, starting or confirming TOTP enrolment, turning TOTP off, new recovery codes and deleting an account without a password need a login or re-authentication at most `GATEHOUSE_REAUTH_WINDOW_SECONDS` (default 300) ago; otherwise they answer 403 `reauthentication_required`. Wrong passwords and codes count against the same limits as at login.',
        body: { type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1, properties: reauthProperties },
        response: {
          200: {
            type: 'object',
            required: ['authTime', 'amr', 'reauthenticatedUntil'],
            properties: {
              authTime: { type: 'string', format: 'date-time' },
              amr: { type: 'array', items: { type: 'string' } },
              reauthenticatedUntil: { type: 'string', format: 'date-time', description: 'Sensitive changes need no further proof until then.' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const current = await requireSession(deps, request);
      const proof = reauthProof(request.body);
      if (proof === undefined) throw new AuthError('reauthentication_required');
      const { session } = await reauthenticate(deps, current, proof, requestContext(request));
      return {
        authTime: new Date(session.authTimeMs).toISOString(),
        amr: [...session.amr],
        reauthenticatedUntil: new Date(session.authTimeMs + deps.sessionPolicy.reauthWindowMs).toISOString(),
      };
    },
  );
}
