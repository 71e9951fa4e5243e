// A refused social login must be diagnosable without `gatehouse audit`: the server log says which
// check failed (claim, expected vs received, issuer, provider id), without a secret, and the
// dev-mode error page shows the same; outside dev mode the page shows none of it.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, importJWK, SignJWT, type JWTPayload } from 'jose';
import type { ProviderFailureDiagnosis } from '../../../src/core/oauth-client/describe-provider-failure.ts';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { createLogger } from '../../../src/main.ts';
import {
  anIdpUser,
  assertRefused,
  callback,
  demoProviderConfig,
  IdpBrowser,
  startLogin,
  startTestIdp,
  testClientId,
  testClientSecret,
  withOAuthApp,
  type OAuthApp,
} from '../../support/oauth.ts';

type Failure = ProviderFailureDiagnosis;

const user = anIdpUser();
let idp: DemoIdp;
before(async () => {
  idp = await startTestIdp([user]);
});
after(() => idp.close());

/** Runs a login whose provider answer is tampered with by `tamper`; returns the page, the log lines, and every secret that must not leak. */
async function refusedLogin(
  mode: 'dev' | 'production',
  tamper: (t: OAuthApp, secrets: string[]) => void,
  providers = [demoProviderConfig(idp)],
): Promise<{ page: string; lines: string[]; failure: Failure | undefined; secrets: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const secrets: string[] = [testClientSecret];
  let page = '';
  await withOAuthApp(
    idp,
    async (t) => {
      tamper(t, secrets);
      const started = await startLogin(t.app);
      const back = await new IdpBrowser(user).authorize(started.authorizationUrl);
      secrets.push(started.flowCookie, back.searchParams.get('code') ?? 'no-code', back.searchParams.get('state') ?? 'no-state');
      const response = await callback(t.app, back, { flow: started.flowCookie });
      assertRefused(response, 'oauth_response_invalid');
      page = response.body;
    },
    { providers, appConfig: { dev: mode === 'dev' }, logger: createLogger({ logLevel: 'info' }, sink) },
  );
  const failure = lines.map((line) => JSON.parse(line) as { oauthFailure?: Failure }).find((entry) => entry.oauthFailure !== undefined)?.oauthFailure;
  return { page, lines, failure, secrets };
}

/** The token endpoint's answer carries `rewrite(claims)` as its ID token, signed with the provider's real key. */
function forgeIdToken(rewrite: (claims: JWTPayload) => JWTPayload) {
  return (t: OAuthApp, secrets: string[]): void => {
    t.hook.intercept = async (url, init, real) => {
      const response = await real(url, init);
      if (!url.pathname.endsWith('/token')) return response;
      const body = (await response.json()) as Record<string, unknown>;
      const claims = decodeJwt(String(body.id_token));
      secrets.push(String(body.id_token), String(body.access_token), String(claims.nonce));
      const key = await importJWK(idp.signingKey, 'RS256');
      body.id_token = await new SignJWT(rewrite(claims)).setProtectedHeader({ alg: 'RS256', kid: String(idp.signingKey.kid) }).sign(key);
      return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
    };
  };
}

function assertNoSecrets(where: string, text: string, secrets: readonly string[]): void {
  for (const secret of secrets) assert.ok(secret.length < 8 || !text.includes(secret), `${where} leaks ${secret.slice(0, 12)}…`);
}

describe('a refused social login says which check failed (server log; dev-mode page)', () => {
  it('ID token aud lacking our client id: claim, expected, received, issuer and provider in the log and on the dev page, no secret in either (SEC-131)', async () => {
    const { page, lines, failure, secrets } = await refusedLogin('dev', forgeIdToken((claims) => ({ ...claims, aud: 'another-client' })));
    assert.deepEqual(failure, {
      provider: 'demo',
      issuer: idp.issuer,
      check: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      reason: 'unexpected JWT "aud" (audience) claim value',
      claim: 'aud',
      expected: testClientId,
      received: 'another-client',
    });
    const line = lines.find((l) => l.includes('oauthFailure')) ?? '';
    assert.match(JSON.parse(line).msg, /^social login with demo failed: OAUTH_JWT_CLAIM_COMPARISON_FAILED \(aud\)$/);
    for (const shown of ['demo', idp.issuer, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'unexpected JWT &quot;aud&quot; (audience) claim value', testClientId, 'another-client']) {
      assert.ok(page.includes(`<code>${shown}</code>`), `the dev page shows ${shown}`);
    }
    assertNoSecrets('the log', lines.join('\n'), secrets);
    assertNoSecrets('the page', page, secrets);
  });

  it('wrong iss: expected the configured issuer, received the forged one', async () => {
    const { failure } = await refusedLogin('dev', forgeIdToken((claims) => ({ ...claims, iss: 'https://evil.example' })));
    assert.equal(failure?.claim, 'iss');
    assert.equal(failure?.expected, idp.issuer);
    assert.equal(failure?.received, 'https://evil.example');
  });

  it('wrong nonce: the claim is named, but neither the expected nor the received value is shown (they are bound to the attempt) (SEC-131)', async () => {
    const { page, lines, failure, secrets } = await refusedLogin('dev', forgeIdToken((claims) => ({ ...claims, nonce: 'attacker-chosen-nonce-value' })));
    assert.equal(failure?.claim, 'nonce');
    assert.equal(failure?.expected, '(the value bound to this login attempt)');
    assert.equal(failure?.received, '(a different value)');
    assertNoSecrets('the log', lines.join('\n'), [...secrets, 'attacker-chosen-nonce-value']);
    assertNoSecrets('the page', page, [...secrets, 'attacker-chosen-nonce-value']);
  });

  it('expired ID token: the timestamp check, with the claim and the allowed window', async () => {
    const { failure } = await refusedLogin('dev', forgeIdToken((claims) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 })));
    assert.equal(failure?.check, 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED');
    assert.equal(failure?.claim, 'exp');
    assert.match(failure?.expected ?? '', /^within \d+ s of \d{4}-/);
  });

  it('the provider refuses our client authentication: its error, the HTTP status, and never the secret (SEC-131)', async () => {
    const wrongSecret = 'a-wrong-client-secret-that-must-not-be-logged';
    const { failure, lines, page } = await refusedLogin('dev', () => undefined, [demoProviderConfig(idp, { clientSecret: wrongSecret })]);
    assert.equal(failure?.check, 'invalid_client');
    assert.match(failure?.reason ?? '', /HTTP 401 from the token endpoint/);
    assertNoSecrets('the log', lines.join('\n'), [wrongSecret]);
    assertNoSecrets('the page', page, [wrongSecret]);
  });

  it('outside dev mode the page shows only the error code; the log still has the diagnosis (SEC-131)', async () => {
    const { page, failure } = await refusedLogin('production', forgeIdToken((claims) => ({ ...claims, aud: 'another-client' })));
    assert.equal(failure?.claim, 'aud');
    assert.ok(!page.includes('another-client'));
    assert.ok(!page.includes('For the developer'));
    assert.ok(!page.includes('OAUTH_JWT_CLAIM_COMPARISON_FAILED'));
  });
});
