import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance } from 'fastify';
import { reauthenticate, type Reauthentication } from '../../core/accounts/reauthenticate.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { startPasskeyReauthentication } from '../../core/passkeys/passkey-reauthentication.ts';
import { setPasskeyCeremonyCookie, takePasskeyCeremonyCookie } from '../passkey-cookies.ts';
import { webAuthnOptionsResponse, webAuthnResponseSchema } from '../passkey-schemas.ts';
import { reauthProof } from '../reauth-proof.ts';
import { errorResponses, reauthProperties } from '../schemas.ts';
import { requestContext, requireSession } from '../session-cookie.ts';

/**
 * POST /v1/me/reauth (docs/security.md SEC-100): proves it is still the account's owner at the
 * keyboard, so the session may make sensitive changes for the next few minutes. A passkey does it
 * too (SEC-192): options from POST /v1/me/reauth/passkey/options, the answer as `passkey`.
 */
export function reauthRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post(
    '/v1/me/reauth/passkey/options',
    {
      schema: {
        tags: ['accounts'],
        summary: "Re-authenticate with a passkey: WebAuthn request options listing the account's passkeys (user verification required), and a 5-minute ceremony cookie bound to this session.",
        description: 'Send the answer of `startAuthentication({ optionsJSON })` as `passkey` to POST /v1/me/reauth from the same browser. 404 `passkey_not_found` when the account has no passkey.',
        response: { 200: webAuthnOptionsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      const { ceremonyToken, options } = await startPasskeyReauthentication(deps, current);
      setPasskeyCeremonyCookie(reply, ceremonyToken);
      return { options };
    },
  );

  app.post<{ Body: { password?: string; emailCode?: string; code?: string; passkey?: AuthenticationResponseJSON } }>(
    '/v1/me/reauth',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Re-authenticate: the password, a code from POST /v1/me/reauth-code (`emailCode`), an authenticator code (`code`), or a passkey answer (`passkey`, to POST /v1/me/reauth/passkey/options).',
        description:
          'Linking or unlinking a provider, removing a passkey, starting or confirming TOTP enrolment, turning TOTP off, new recovery codes and deleting an account without a password need a login or re-authentication at most `GATEHOUSE_REAUTH_WINDOW_SECONDS` (default 300) ago; otherwise they answer 403 `reauthentication_required`. Wrong passwords and codes count against the same limits as at login.',
        body: { type: 'object', additionalProperties: false, minProperties: 1, maxProperties: 1, properties: { ...reauthProperties, passkey: webAuthnResponseSchema } },
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
    async (request, reply) => {
      const current = await requireSession(deps, request);
      const { passkey } = request.body;
      const proof: Reauthentication | undefined = passkey === undefined ? reauthProof(request.body) : { passkey: { ceremonyToken: takePasskeyCeremonyCookie(request, reply), response: passkey } };
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
