import type { Migration } from 'kysely';
import * as initial from './0001-initial.ts';
import * as tokens from './0002-tokens.ts';
import * as refreshTokens from './0003-refresh-tokens.ts';
import * as revocations from './0004-revocations.ts';
import * as oauth from './0005-oauth.ts';
import * as mailOtp from './0006-mail-otp.ts';
import * as clientRefreshCookie from './0007-client-refresh-cookie.ts';
import * as passkeys from './0008-passkeys.ts';
import * as sessionAuthentication from './0009-session-authentication.ts';
import * as revocationsSid from './0010-revocations-sid.ts';
import * as userProfiles from './0011-user-profiles.ts';
import * as oidcClients from './0012-oidc-clients.ts';
import * as passkeyUsedChallenges from './0013-passkey-used-challenges.ts';
import * as deliveries from './0014-deliveries.ts';
import * as operators from './0015-operators.ts';
import * as dpop from './0016-dpop.ts';
import * as openidProvider from './0017-openid-provider.ts';
import * as webhookEndpoints from './0018-webhook-endpoints.ts';
import * as pushedAuthorizationRequests from './0019-pushed-authorization-requests.ts';
import * as clientAuthMethodEnforced from './0020-client-auth-method-enforced.ts';
import * as refreshOpenIdLogin from './0021-refresh-openid-login.ts';
import * as codeIdTokenClaims from './0022-code-id-token-claims.ts';
import * as passkeyUsedChallengesByExpiry from './0023-passkey-used-challenges-by-expiry.ts';
import * as codeDpopJkt from './0024-code-dpop-jkt.ts';
import * as auditOneIndexFewer from './0025-audit-one-index-fewer.ts';
import * as refreshTokensNoFamilyIndex from './0026-refresh-tokens-no-family-index.ts';
import * as auditTimeIndexAscending from './0027-audit-time-index-ascending.ts';
import * as socialSignUpsVerified from './0028-social-sign-ups-verified.ts';

/** Every migration, in order. Names are permanent: kysely records them in the database. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-tokens': tokens,
  '0003-refresh-tokens': refreshTokens,
  '0004-revocations': revocations,
  '0005-oauth': oauth,
  '0006-mail-otp': mailOtp,
  '0007-client-refresh-cookie': clientRefreshCookie,
  '0008-passkeys': passkeys,
  '0009-session-authentication': sessionAuthentication,
  '0010-revocations-sid': revocationsSid,
  '0011-user-profiles': userProfiles,
  '0012-oidc-clients': oidcClients,
  '0013-passkey-used-challenges': passkeyUsedChallenges,
  '0014-deliveries': deliveries,
  '0015-operators': operators,
  '0016-dpop': dpop,
  '0017-openid-provider': openidProvider,
  '0018-webhook-endpoints': webhookEndpoints,
  '0019-pushed-authorization-requests': pushedAuthorizationRequests,
  '0020-client-auth-method-enforced': clientAuthMethodEnforced,
  '0021-refresh-openid-login': refreshOpenIdLogin,
  '0022-code-id-token-claims': codeIdTokenClaims,
  '0023-passkey-used-challenges-by-expiry': passkeyUsedChallengesByExpiry,
  '0024-code-dpop-jkt': codeDpopJkt,
  '0025-audit-one-index-fewer': auditOneIndexFewer,
  '0026-refresh-tokens-no-family-index': refreshTokensNoFamilyIndex,
  '0027-audit-time-index-ascending': auditTimeIndexAscending,
  '0028-social-sign-ups-verified': socialSignUpsVerified,
};
