import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import type { AppConfig } from '../app-config.ts';
import { currentSession } from '../session-cookie.ts';
import { accountPage } from './account.ts';
import { emailChangePages } from './email-change.ts';
import { assetRoutes } from './assets.ts';
import { identityPages } from './identities.ts';
import { loginPage } from './login.ts';
import { logoutPage } from './logout.ts';
import { signupPage } from './signup.ts';
import { devMailPage } from './dev-mail.ts';
import { forgotPage } from './forgot.ts';
import { resetPage } from './reset.ts';
import { verifyPage } from './verify.ts';
import { twoFactorPage } from './two-factor.ts';
import { loginCodePage } from './login-code.ts';
import { passkeyPages } from './passkeys.ts';
import { passkeySignupPages } from './passkey-signup.ts';
import { reauthPage } from './reauth.ts';
import { profilePage } from './profile.ts';
import { connectedAppsPage } from './connected-apps.ts';

/**
 * The server-rendered pages. Form bodies (urlencoded) are parsed only inside this plugin, so
 * the JSON API keeps answering 415 to anything but application/json.
 */
export async function pages(app: FastifyInstance, deps: CoreDeps, config: AppConfig, oauth?: OAuthDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: 16_384 });
  assetRoutes(app);
  app.get('/', { schema: { tags: ['pages'], summary: 'Redirects to the account page or the login page.' } }, async (request, reply) =>
    reply.redirect((await currentSession(deps, request)) === null ? '/login' : '/account'),
  );
  signupPage(app, deps, config, oauth);
  loginPage(app, deps, config, oauth);
  logoutPage(app, deps);
  accountPage(app, deps, oauth);
  profilePage(app, deps, oauth);
  connectedAppsPage(app, deps, oauth);
  emailChangePages(app, deps, config, oauth);
  if (oauth !== undefined) identityPages(app, deps, oauth);
  verifyPage(app, deps, config);
  forgotPage(app, deps, config);
  resetPage(app, deps);
  twoFactorPage(app, deps);
  reauthPage(app, deps, config);
  loginCodePage(app, deps, config);
  passkeyPages(app, deps, config, oauth);
  passkeySignupPages(app, deps);
  if (config.devOutbox !== undefined && config.devOutbox !== null) devMailPage(app, config.devOutbox);
}
