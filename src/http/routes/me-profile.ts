import type { FastifyInstance } from 'fastify';
import { findProfile, updateProfile } from '../../core/accounts/update-profile.ts';
import type { ProfileChange } from '../../core/accounts/profile-input.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { UserProfile } from '../../core/ports.ts';
import { errorResponses, userBody } from '../schemas.ts';
import { requestContext, requireSession } from '../session-cookie.ts';

const nullableText = (maxLength: number, description: string) => ({ type: ['string', 'null'], maxLength, description }) as const;

/** The profile as the API shows it: every field, null when not given. */
const profileResponse = {
  type: 'object',
  required: ['name', 'givenName', 'familyName', 'picture', 'locale', 'updatedAt'],
  additionalProperties: false,
  properties: {
    name: { type: ['string', 'null'] },
    givenName: { type: ['string', 'null'] },
    familyName: { type: ['string', 'null'] },
    picture: { type: ['string', 'null'], description: 'An https URL.' },
    locale: { type: ['string', 'null'], description: 'A BCP 47 language tag, canonical form.' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const meResponse = {
  type: 'object',
  required: ['user', 'profile'],
  additionalProperties: false,
  properties: { user: { $ref: 'user#' }, profile: profileResponse },
} as const;

function profileBody(profile: UserProfile) {
  const { name, givenName, familyName, picture, locale } = profile;
  return { name, givenName, familyName, picture, locale, updatedAt: new Date(profile.updatedAtMs).toISOString() };
}

/**
 * The signed-in user's profile, which the OpenID `profile` scope answers
 * (core/accounts/user-claims.ts). The transport limits here are loose on purpose: the core
 * checks each field and answers a stable code (invalid_profile_name, invalid_picture_url,
 * invalid_locale) that the account page shows too.
 */
export function meProfileRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get(
    '/v1/me',
    { schema: { tags: ['accounts'], summary: 'The signed-in user and their profile.', response: { 200: meResponse, ...errorResponses } } },
    async (request) => {
      const { user } = await requireSession(deps, request);
      return { user: userBody(user), profile: profileBody(await findProfile(deps, user)) };
    },
  );

  app.patch<{ Body: ProfileChange }>(
    '/v1/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change the profile (the OpenID profile claims). A field left out stays as it is; null or "" clears it. A bad field changes nothing.',
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            name: nullableText(1000, 'At most 200 characters, no control characters.'),
            givenName: nullableText(1000, 'At most 200 characters, no control characters.'),
            familyName: nullableText(1000, 'At most 200 characters, no control characters.'),
            picture: nullableText(4096, 'An https URL of at most 2048 characters, without a user name or password.'),
            locale: nullableText(100, 'A BCP 47 language tag such as en-GB.'),
          },
        },
        response: { 200: meResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { user } = await requireSession(deps, request);
      const profile = await updateProfile(deps, user, request.body, requestContext(request));
      return { user: userBody(user), profile: profileBody(profile) };
    },
  );
}
