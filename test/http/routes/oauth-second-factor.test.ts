// docs/security.md SEC-101: a social login to an account with a second factor goes through the
// same pending second step as a password login; the provider's own MFA counts only when the
// operator trusts the provider (trust_provider_mfa) and the ID token's amr says mfa. Against the
// real demo IdP (oidc-provider) on loopback, which puts amr in its ID tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CoreDeps } from '../../../src/core/deps.ts';
import { confirmTotpEnrolment } from '../../../src/core/otp/confirm-totp-enrolment.ts';
import { startTotpEnrolment } from '../../../src/core/otp/start-totp-enrolment.ts';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { pendingLoginCookieName } from '../../../src/http/session-cookie.ts';
import { testContext } from '../../support/core-deps.ts';
import { sameOriginJson } from '../../support/http-app.ts';
import { anIdpUser, demoProviderConfig, IdpBrowser, logInWithProvider, sessionFrom, startTestIdp, withOAuthApp, type OAuthApp } from '../../support/oauth.ts';

const plain = anIdpUser();
const withMfa = anIdpUser({ amr: ['pwd', 'otp', 'mfa'] });
let idp: DemoIdp;
before(async () => {
  idp = await startTestIdp([plain, withMfa]);
});
after(() => idp.close());

/** Signs up through the provider, then turns TOTP on for that account. Returns the TOTP secret. */
async function accountWithTotp(t: OAuthApp, who: typeof plain): Promise<string> {
  const token = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(who))) ?? assert.fail('signed up');
  const current = (await validateSession(t.core, token)) ?? assert.fail('a session');
  assert.ok(current.session.amr.includes('fed'));
  const { secret } = await startTotpEnrolment(t.core as CoreDeps, current, undefined, testContext());
  await confirmTotpEnrolment(t.core as CoreDeps, current, totpCodeAt(secret, t.core.clock.nowMs()), undefined, testContext());
  t.core.clock.advance(30_000);
  return secret;
}

const pendingFrom = (response: { cookies: Array<{ name: string; value: string }> }) => response.cookies.find((c) => c.name === pendingLoginCookieName && c.value !== '')?.value;

describe('social login and the second factor (SEC-101)', () => {
  it('a provider login to an account with TOTP gets only a pending login; the code finishes it, once', () =>
    withOAuthApp(idp, async (t) => {
      const secret = await accountWithTotp(t, plain);
      const back = await logInWithProvider(t.app, new IdpBrowser(plain), { returnTo: '/account?tab=x' });
      assert.equal(back.statusCode, 303);
      assert.equal(back.headers.location, '/login/second-factor?return_to=%2Faccount%3Ftab%3Dx');
      assert.equal(sessionFrom(back), undefined, 'no session before the second step');
      const pending = pendingFrom(back) ?? assert.fail('a pending-login cookie');

      const second = (payload: Record<string, string>) =>
        t.app.inject({ method: 'POST', url: '/v1/session/second-factor', headers: { ...sameOriginJson, cookie: `${pendingLoginCookieName}=${pending}` }, payload });
      const done = await second({ code: totpCodeAt(secret, t.core.clock.nowMs()) });
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual(done.json().session.amr, ['fed', 'mfa', 'otp']);
      t.core.clock.advance(30_000);
      assert.equal((await second({ code: totpCodeAt(secret, t.core.clock.nowMs()) })).statusCode, 401, 'the pending login was used up (SEC-106)');
    }));

  it("the provider's MFA is not trusted by default, even when its ID token says mfa", () =>
    withOAuthApp(idp, async (t) => {
      await accountWithTotp(t, withMfa);
      const back = await logInWithProvider(t.app, new IdpBrowser(withMfa));
      assert.equal(sessionFrom(back), undefined);
      assert.ok(pendingFrom(back));
    }));

  it('with trust_provider_mfa, an ID token whose amr says mfa logs in with amr fed+mfa; one without still needs the second step', () =>
    withOAuthApp(
      idp,
      async (t) => {
        await accountWithTotp(t, withMfa);
        const trusted = await logInWithProvider(t.app, new IdpBrowser(withMfa));
        const token = sessionFrom(trusted) ?? assert.fail(`a session: ${trusted.statusCode} ${String(trusted.headers.location)}`);
        assert.deepEqual((await validateSession(t.core, token))?.session.amr, ['fed', 'mfa']);

        await accountWithTotp(t, plain);
        const untrusted = await logInWithProvider(t.app, new IdpBrowser(plain));
        assert.equal(sessionFrom(untrusted), undefined);
        assert.ok(pendingFrom(untrusted));
      },
      { providers: [demoProviderConfig(idp, { trustProviderMfa: true })] },
    ));
});
