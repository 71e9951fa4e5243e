import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideAuthorization, loginAfterMsOf } from '../../../src/core/oauth-provider/decide-authorization.ts';
import type { AuthorizationParams, SessionWithUser } from '../../../src/core/ports.ts';
import { clientRecord } from '../../support/client-record.ts';

const client = clientRecord({ id: 'rp', name: 'RP', type: 'public', secretHash: null, grantTypes: ['authorization_code'], audience: 'rp', refreshTokenDelivery: 'body', createdAtMs: 0 }, { redirectUris: ['https://rp.example.com/cb'] });
const params: AuthorizationParams = { clientId: 'rp', redirectUri: 'https://rp.example.com/cb', scope: 'openid email', state: 's', nonce: 'n', codeChallenge: 'c', responseMode: 'query', prompt: [], maxAgeSeconds: null, loginHint: null, idTokenHint: null, uiLocales: null, acrValues: null };
const current = { user: { id: 'u1' }, session: { authTimeMs: 1_000_000 } } as unknown as SessionWithUser;
const consent = { userId: 'u1', clientId: 'rp', scopes: ['openid', 'email'], grantedAtMs: 0, updatedAtMs: 0 };

describe('decideAuthorization', () => {
  it('no session: login, or login_required with prompt=none', () => {
    assert.deepEqual(decideAuthorization({ client, params, current: null, loginAfterMs: null, consent: null, hintSubject: null }), { kind: 'login', reauth: false });
    assert.equal(decideAuthorization({ client, params: { ...params, prompt: ['none'] }, current: null, loginAfterMs: null, consent: null, hintSubject: null }).kind, 'error');
  });

  it('a login older than loginAfterMs: re-authentication in place', () => {
    assert.deepEqual(decideAuthorization({ client, params, current, loginAfterMs: 1_000_001, consent, hintSubject: null }), { kind: 'login', reauth: true });
    assert.equal(decideAuthorization({ client, params, current, loginAfterMs: 1_000_000, consent, hintSubject: null }).kind, 'issue');
  });

  it('consent: asked for a scope not yet allowed, or on prompt=consent; never skipped by prompt=none (SEC-205); skipConsent skips it', () => {
    assert.equal(decideAuthorization({ client, params: { ...params, scope: 'openid email profile' }, current, loginAfterMs: null, consent, hintSubject: null }).kind, 'consent');
    assert.equal(decideAuthorization({ client, params: { ...params, prompt: ['consent'] }, current, loginAfterMs: null, consent, hintSubject: null }).kind, 'consent');
    const none = decideAuthorization({ client, params: { ...params, prompt: ['none'] }, current, loginAfterMs: null, consent: null, hintSubject: null });
    assert.deepEqual(none.kind === 'error' ? none.oauthError.error : none.kind, 'consent_required');
    assert.equal(decideAuthorization({ client: { ...client, skipConsent: true }, params, current, loginAfterMs: null, consent: null, hintSubject: null }).kind, 'issue');
  });

  it('an id_token_hint naming another user: login_required', () => {
    const decision = decideAuthorization({ client, params, current, loginAfterMs: null, consent, hintSubject: 'someone-else' });
    assert.equal(decision.kind === 'error' ? decision.oauthError.error : decision.kind, 'login_required');
  });

  it('a claims request whose sub value names another user: login_required, with or without prompt=none; the named user gets in (SEC-212)', () => {
    for (const prompt of [[], ['none']] as AuthorizationParams['prompt'][]) {
      const decision = decideAuthorization({ client, params: { ...params, prompt, subject: 'someone-else' }, current, loginAfterMs: null, consent, hintSubject: null });
      assert.equal(decision.kind === 'error' ? decision.oauthError.error : decision.kind, 'login_required');
    }
    assert.equal(decideAuthorization({ client, params: { ...params, subject: 'u1' }, current, loginAfterMs: null, consent, hintSubject: null }).kind, 'issue');
    assert.deepEqual(decideAuthorization({ client, params: { ...params, subject: 'u1' }, current: null, loginAfterMs: null, consent, hintSubject: null }), { kind: 'login', reauth: false }, 'nobody logged in: log in first');
  });

  it('an essential acr the login did not reach: access_denied (login_required under prompt=none); reached: issued (SEC-213)', () => {
    const passwordOnly = { ...current, session: { ...current.session, amr: ['pwd'] } } as unknown as SessionWithUser;
    const withSecondFactor = { ...current, session: { ...current.session, amr: ['pwd', 'otp', 'mfa'] } } as unknown as SessionWithUser;
    const levelTwo = { ...params, essentialAcr: ['urn:gatehouse:loa:2'] };
    const denied = decideAuthorization({ client, params: levelTwo, current: passwordOnly, loginAfterMs: null, consent, hintSubject: null });
    assert.equal(denied.kind === 'error' ? denied.oauthError.error : denied.kind, 'access_denied');
    const none = decideAuthorization({ client, params: { ...levelTwo, prompt: ['none'] }, current: passwordOnly, loginAfterMs: null, consent, hintSubject: null });
    assert.equal(none.kind === 'error' ? none.oauthError.error : none.kind, 'login_required');
    assert.equal(decideAuthorization({ client, params: levelTwo, current: withSecondFactor, loginAfterMs: null, consent, hintSubject: null }).kind, 'issue');
    assert.equal(decideAuthorization({ client, params: { ...params, essentialAcr: ['urn:gatehouse:loa:1', 'urn:gatehouse:loa:2'] }, current: passwordOnly, loginAfterMs: null, consent, hintSubject: null }).kind, 'issue');
  });

  it('loginAfterMsOf: prompt=login asks for a login from now; max_age for one no older than that', () => {
    assert.equal(loginAfterMsOf({ prompt: [], maxAgeSeconds: null }, 5000), null);
    assert.equal(loginAfterMsOf({ prompt: ['login'], maxAgeSeconds: null }, 5000), 5000);
    assert.equal(loginAfterMsOf({ prompt: [], maxAgeSeconds: 2 }, 5000), 3000);
    assert.equal(loginAfterMsOf({ prompt: ['login'], maxAgeSeconds: 2 }, 5000), 5000);
  });
});
