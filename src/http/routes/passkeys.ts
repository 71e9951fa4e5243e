import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { listPasskeys, removePasskey, renamePasskey } from '../../core/passkeys/manage-passkeys.ts';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../core/passkeys/register-passkey.ts';
import { passkeyBody, passkeyNameProperty, passkeySchema, webAuthnOptionsResponse, webAuthnResponseSchema } from '../passkey-schemas.ts';
import { setPasskeyCeremonyCookie, takePasskeyCeremonyCookie } from '../passkey-cookies.ts';
import { emptyBodyAsObject, reauthProof } from '../reauth-proof.ts';
import { errorResponses, reauthBody, type ReauthBody } from '../schemas.ts';
import { requestContext, requireSession } from '../session-cookie.ts';

/** The signed-in account's passkeys: list, add (options + verify), rename, remove. */
export function passkeyRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get(
    '/v1/me/passkeys',
    {
      schema: {
        tags: ['passkeys'],
        summary: "The account's passkeys, oldest first.",
        response: { 200: { type: 'object', required: ['passkeys'], properties: { passkeys: { type: 'array', items: passkeySchema } } }, ...errorResponses },
      },
    },
    async (request) => {
      const { user } = await requireSession(deps, request);
      return { passkeys: (await listPasskeys(deps, user)).map(passkeyBody) };
    },
  );

  app.post(
    '/v1/me/passkeys/registration/options',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Start adding a passkey: WebAuthn creation options, and a 5-minute ceremony cookie bound to this session. Needs a recent login or re-authentication (403 `reauthentication_required`: POST /v1/me/reauth first), with more than the password when the account already has a passkey or TOTP.',
        description: 'Pass `options` to `startRegistration({ optionsJSON })` of @simplewebauthn/browser, then send its result to POST /v1/me/passkeys/registration/verify from the same browser.',
        response: { 200: webAuthnOptionsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      const { ceremonyToken, options } = await startPasskeyRegistration(deps, current, requestContext(request));
      setPasskeyCeremonyCookie(reply, ceremonyToken);
      return { options };
    },
  );

  app.post<{ Body: { name?: string; response: RegistrationResponseJSON } }>(
    '/v1/me/passkeys/registration/verify',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Finish adding a passkey: verifies the browser’s answer and stores the passkey under `name`.',
        body: { type: 'object', required: ['response'], additionalProperties: false, properties: { name: passkeyNameProperty, response: webAuthnResponseSchema } },
        response: { 201: passkeySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
      const passkey = await finishPasskeyRegistration(deps, current, { ceremonyToken, response: request.body.response, ...(request.body.name === undefined ? {} : { name: request.body.name }) }, requestContext(request));
      return reply.code(201).send(passkeyBody(passkey));
    },
  );

  app.patch<{ Params: { id: string }; Body: { name: string } }>(
    '/v1/me/passkeys/:id',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Rename a passkey.',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: passkeyNameProperty } },
        response: { 204: { type: 'null', description: 'Renamed.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { user } = await requireSession(deps, request);
      await renamePasskey(deps, user, request.params.id, request.body.name, requestContext(request));
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { id: string }; Body: ReauthBody }>(
    '/v1/me/passkeys/:id',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['passkeys'],
        summary:
          'Remove a passkey; needs a recent login or re-authentication (403 `reauthentication_required`: POST /v1/me/reauth first), or the password, an emailed reauth code or an authenticator code sent along. Refused (409 `passkey_last_login_method`) when it is the last way to log in.',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        body: reauthBody,
        response: { 204: { type: 'null', description: 'Removed.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      await removePasskey(deps, current, request.params.id, reauthProof(request.body), requestContext(request));
      return reply.code(204).send();
    },
  );
}

