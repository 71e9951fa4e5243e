import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { finishPasskeyLogin, startPasskeyLogin } from '../../core/passkeys/passkey-login.ts';
import { completePasskeySecondFactor, startPasskeySecondFactor } from '../../core/passkeys/passkey-second-factor.ts';
import { finishPasskeySignup, requestPasskeySignup, startPasskeySignup } from '../../core/passkeys/passkey-signup.ts';
import { passkeyNameProperty, webAuthnOptionsResponse, webAuthnResponseSchema } from '../passkey-schemas.ts';
import { setPasskeyCeremonyCookie, takePasskeyCeremonyCookie } from '../passkey-cookies.ts';
import { checkEmailResponse, emailBody, errorResponses, sessionBody, userAndSessionResponse, userBody } from '../schemas.ts';
import { clearPendingLoginCookie, currentSession, readPendingLoginToken, requestContext, setSessionCookie } from '../session-cookie.ts';

const answerBody = { type: 'object', required: ['response'], additionalProperties: false, properties: { response: webAuthnResponseSchema } } as const;
const signupToken = { type: 'string', minLength: 1, maxLength: 4096 } as const;
const loggedIn = {
  ...userAndSessionResponse,
  required: [...userAndSessionResponse.required, 'amr'],
  properties: { ...userAndSessionResponse.properties, amr: { type: 'array', items: { type: 'string' }, description: 'RFC 8176 methods, sorted: `hwk` (device-bound) or `swk` (synced), `user`, and `mfa` with user verification.' } },
} as const;

/** Logging in with a passkey (passwordless, or as the second step) and signing up with one: options + verify. */
export function passkeySessionRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post(
    '/v1/passkeys/authentication/options',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Start a passwordless login: WebAuthn request options (discoverable credentials, user verification required) and a 5-minute ceremony cookie.',
        description: 'Pass `options` to `startAuthentication({ optionsJSON })` (or with `useBrowserAutofill: true`) of @simplewebauthn/browser, then send its result to POST /v1/passkeys/authentication/verify from the same browser.',
        response: { 200: webAuthnOptionsResponse, ...errorResponses },
      },
    },
    async (_request, reply) => {
      const { ceremonyToken, options } = await startPasskeyLogin(deps);
      setPasskeyCeremonyCookie(reply, ceremonyToken);
      return { options };
    },
  );

  app.post<{ Body: { response: AuthenticationResponseJSON } }>(
    '/v1/passkeys/authentication/verify',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Finish a passwordless login; sets the session cookie. A user-verified passkey needs no second step. With `GATEHOUSE_REQUIRE_VERIFIED_EMAIL` on, an account whose address is not verified yet gets 403 `email_not_verified`, as at a password login.',
        body: answerBody,
        response: { 200: loggedIn, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
      const previous = await currentSession(deps, request);
      const done = await finishPasskeyLogin(deps, { ceremonyToken, response: request.body.response, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request));
      setSessionCookie(reply, done.token, done.session.expiresAtMs);
      return { user: userBody(done.user), session: sessionBody(done.session, deps.sessionPolicy.idleTimeoutMs, done.session.id), amr: done.amr };
    },
  );

  app.post(
    '/v1/session/second-factor/passkey/options',
    {
      schema: {
        tags: ['session'],
        summary: "Second step with a passkey: WebAuthn request options listing the pending account's passkeys.",
        description: 'Needs the pending-login cookie from POST /v1/session (or an emailed-code or social login). The ceremony is bound to that pending login.',
        response: { 200: webAuthnOptionsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const pendingToken = readPendingLoginToken(request);
      if (pendingToken === undefined) throw new AuthError('no_pending_login');
      const { ceremonyToken, options } = await startPasskeySecondFactor(deps, pendingToken);
      setPasskeyCeremonyCookie(reply, ceremonyToken);
      return { options };
    },
  );

  app.post<{ Body: { response: AuthenticationResponseJSON } }>(
    '/v1/session/second-factor/passkey',
    {
      schema: {
        tags: ['session'],
        summary: 'Finish a login with a passkey as the second step; sets the session cookie.',
        body: answerBody,
        response: { 200: loggedIn, ...errorResponses },
      },
    },
    async (request, reply) => {
      const pendingToken = readPendingLoginToken(request);
      if (pendingToken === undefined) throw new AuthError('no_pending_login');
      const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
      const previous = await currentSession(deps, request);
      const done = await completePasskeySecondFactor(deps, { pendingToken, ceremonyToken, response: request.body.response, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request));
      clearPendingLoginCookie(reply);
      setSessionCookie(reply, done.token, done.session.expiresAtMs);
      return { user: userBody(done.user), session: sessionBody(done.session, deps.sessionPolicy.idleTimeoutMs, done.session.id), amr: done.amr };
    },
  );

  app.post<{ Body: { email: string } }>(
    '/v1/passkeys/signup',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Sign up without a password: mails a link that confirms the address; the account is made with its first passkey after that.',
        description: 'Answers the same whether or not the address has an account. The link leads to /signup/passkey/finish; apps with their own pages take its `token` to the two calls below.',
        body: emailBody,
        response: { 202: checkEmailResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { email } = await requestPasskeySignup(deps, request.body.email, requestContext(request));
      return reply.code(202).send({ status: 'check_email', email });
    },
  );

  app.post<{ Body: { token: string } }>(
    '/v1/passkeys/signup/options',
    {
      schema: {
        tags: ['passkeys'],
        summary: "Passkey sign-up: WebAuthn creation options for the new account's first passkey, bound to the link's token.",
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: signupToken } },
        response: { 200: webAuthnOptionsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { ceremonyToken, options } = await startPasskeySignup(deps, request.body.token);
      setPasskeyCeremonyCookie(reply, ceremonyToken);
      return { options };
    },
  );

  app.post<{ Body: { token: string; name?: string; response: RegistrationResponseJSON } }>(
    '/v1/passkeys/signup/verify',
    {
      schema: {
        tags: ['passkeys'],
        summary: 'Passkey sign-up: verifies the passkey, makes the account (address verified, no password) and logs in.',
        body: { type: 'object', required: ['token', 'response'], additionalProperties: false, properties: { token: signupToken, name: passkeyNameProperty, response: webAuthnResponseSchema } },
        response: { 200: loggedIn, ...errorResponses },
      },
    },
    async (request, reply) => {
      const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
      const { token, name, response } = request.body;
      const done = await finishPasskeySignup(deps, { token, ceremonyToken, response, ...(name === undefined ? {} : { name }) }, requestContext(request));
      setSessionCookie(reply, done.token, done.session.expiresAtMs);
      return { user: userBody(done.user), session: sessionBody(done.session, deps.sessionPolicy.idleTimeoutMs, done.session.id), amr: done.amr };
    },
  );
}
