import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createLocalJWKSet } from 'jose';
import { createVerifier, GatehouseTokenError } from '../../packages/sdk/src/index.ts';
import {
  assertRefused,
  audience,
  fixedNowMs,
  fixedNowSeconds,
  issuer,
  makeSigningKeys,
  makeVerifier,
  mintAccessToken,
  testAlgorithms,
  type SigningKey,
  type TestAlgorithm,
} from './support/tokens.ts';

let keys: Record<TestAlgorithm, SigningKey>;
before(async () => {
  keys = await makeSigningKeys();
});

describe('createVerifier: valid tokens', () => {
  for (const alg of testAlgorithms) {
    it(`accepts a Gatehouse access token signed with ${alg} and returns typed, frozen claims`, async () => {
      const verifier = makeVerifier(Object.values(keys));
      const token = await mintAccessToken(keys[alg], { claims: { jti: `jti-${alg}`, extra: { nested: [1] } } });
      const claims = await verifier.verify(token);
      assert.equal(claims.iss, issuer);
      assert.equal(claims.sub, 'usr_ada');
      assert.equal(claims.aud, audience);
      assert.equal(claims.exp, fixedNowSeconds + 600);
      assert.equal(claims.iat, fixedNowSeconds);
      assert.equal(claims.jti, `jti-${alg}`);
      assert.equal(claims.client_id, 'cli_notes');
      assert.equal(claims.scope, 'notes:read notes:write');
      assert.equal(claims.sid, 'ses_1');
      assert.deepEqual(claims.payload['extra'], { nested: [1] });
      // Cached claims are shared between callers: nobody may change them for the next one.
      assert.ok(Object.isFrozen(claims) && Object.isFrozen(claims.payload) && Object.isFrozen(claims.payload['extra']));
      assert.throws(() => {
        (claims as { scope: string }).scope = 'admin';
      }, TypeError);
    });
  }

  it('reads a missing scope as the empty string', async () => {
    const claims = await makeVerifier([keys.ES256]).verify(await mintAccessToken(keys.ES256, { claims: { scope: undefined } }));
    assert.equal(claims.scope, '');
  });

  it('accepts an aud array that contains the audience, and any of several configured audiences', async () => {
    const token = await mintAccessToken(keys.ES256, { claims: { aud: ['https://other.example.test', audience] } });
    assert.deepEqual((await makeVerifier([keys.ES256]).verify(token)).aud, ['https://other.example.test', audience]);
    const other = await mintAccessToken(keys.ES256, { claims: { aud: 'https://second.example.test' } });
    await makeVerifier([keys.ES256], { audience: [audience, 'https://second.example.test'] }).verify(other);
  });

  it('accepts typ "application/at+jwt" (RFC 9068 4) and media-type case differences', async () => {
    const verifier = makeVerifier([keys.ES256]);
    await verifier.verify(await mintAccessToken(keys.ES256, { header: { typ: 'application/at+jwt' } }));
    await verifier.verify(await mintAccessToken(keys.ES256, { header: { typ: 'AT+JWT' } }));
  });

  it('allows exp up to clockToleranceSeconds in the past, and no further', async () => {
    const token = await mintAccessToken(keys.ES256, { claims: { exp: fixedNowSeconds - 4 } });
    await makeVerifier([keys.ES256]).verify(token);
    await assertRefused(makeVerifier([keys.ES256], { clockToleranceSeconds: 0 }).verify(token), 'token_expired');
  });

  it('accepts only the configured algorithms', async () => {
    const verifier = makeVerifier(Object.values(keys), { algorithms: ['EdDSA'] });
    await verifier.verify(await mintAccessToken(keys.EdDSA));
    await assertRefused(verifier.verify(await mintAccessToken(keys.ES256)), 'token_algorithm_not_allowed');
    await assertRefused(verifier.verify(await mintAccessToken(keys.RS256)), 'token_algorithm_not_allowed');
  });
});

describe('createVerifier: inputs that are not a token', () => {
  it('refuses an empty or absent token as token_missing', async () => {
    const verifier = makeVerifier([keys.ES256]);
    await assertRefused(verifier.verify(''), 'token_missing');
    await assertRefused(verifier.verify(undefined as unknown as string), 'token_missing');
    await assertRefused(verifier.verify(null as unknown as string), 'token_missing');
  });

  it('refuses a non-string and anything that is not three base64url segments as token_malformed', async () => {
    const verifier = makeVerifier([keys.ES256]);
    const token = await mintAccessToken(keys.ES256);
    await assertRefused(verifier.verify(42 as unknown as string), 'token_malformed');
    for (const bad of ['abc', 'a.b', `${token}.x`, `Bearer ${token}`, ` ${token}`, token.replace('.', '..'), 'e30.e30.!!!']) {
      await assertRefused(verifier.verify(bad), 'token_malformed', JSON.stringify(bad.slice(0, 20)));
    }
  });

  it('refuses sid, jti, sub or client_id that are not non-empty strings (revocation is keyed on them) (SEC-84)', async () => {
    const verifier = makeVerifier([keys.ES256]);
    for (const [claim, value] of [['sid', 7], ['jti', ['x']], ['sub', ''], ['client_id', null], ['scope', 3]] as const) {
      const error = await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { claims: { [claim]: value } })), 'token_malformed', claim);
      assert.equal(error.claim, claim);
    }
  });

  it('types auth_time and amr when present, leaves them out when absent, refuses them of the wrong JSON type', async () => {
    const verifier = makeVerifier([keys.ES256]);
    const claims = await verifier.verify(await mintAccessToken(keys.ES256, { claims: { auth_time: fixedNowSeconds - 60, amr: ['mfa', 'otp', 'pwd'] } }));
    assert.equal(claims.auth_time, fixedNowSeconds - 60);
    assert.deepEqual(claims.amr, ['mfa', 'otp', 'pwd']);
    const bare = await verifier.verify(await mintAccessToken(keys.ES256));
    assert.equal('auth_time' in bare, false);
    assert.equal('amr' in bare, false);
    for (const [claim, value] of [['auth_time', '123'], ['amr', 'pwd'], ['amr', [1]]] as const) {
      const error = await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { claims: { [claim]: value } })), 'token_malformed', claim);
      assert.equal(error.claim, claim);
    }
  });

  it('refuses an exp, nbf or iat of the wrong JSON type as token_malformed (SEC-84)', async () => {
    const verifier = makeVerifier([keys.ES256]);
    for (const claim of ['exp', 'nbf', 'iat']) {
      await assertRefused(verifier.verify(await mintAccessToken(keys.ES256, { claims: { [claim]: String(fixedNowSeconds) } })), 'token_malformed', claim);
    }
  });

  for (const claim of ['iat', 'sub', 'jti', 'sid', 'client_id']) {
    it(`refuses a token without ${claim} as token_missing_claim`, async () => {
      const error = await assertRefused(makeVerifier([keys.ES256]).verify(await mintAccessToken(keys.ES256, { claims: { [claim]: undefined } })), 'token_missing_claim');
      assert.equal(error.claim, claim);
    });
  }

  it("accepts a client's own token (client credentials: sub is the client_id) without sid", async () => {
    const claims = await makeVerifier([keys.ES256]).verify(await mintAccessToken(keys.ES256, { claims: { sid: undefined, sub: 'billing', client_id: 'billing' } }));
    assert.equal(claims.sid, undefined);
    assert.equal(claims.sub, 'billing');
  });
});

describe('createVerifier: options are validated once, every problem listed', () => {
  const jwks = createLocalJWKSet({ keys: [] });

  it('lists every problem at once, unknown keys included', () => {
    assert.throws(
      () =>
        createVerifier({
          issuer: '',
          audience: [],
          algorithms: ['HS256', 'none', 'ES256'] as never,
          clockToleranceSeconds: -1,
          cacheMaxEntries: 1.5,
          algorithm: ['ES256'],
          jwks,
        } as never),
      (error: Error) => {
        assert.ok(error instanceof TypeError);
        for (const fragment of ['unknown option "algorithm"', 'issuer', 'audience', 'HS256 is symmetric', '"none" is never accepted', 'clockToleranceSeconds', 'cacheMaxEntries']) {
          assert.ok(error.message.includes(fragment), `${fragment} missing from: ${error.message}`);
        }
        return true;
      },
    );
  });

  it('never lets HS* or none be configured, in any casing (SEC-81)', () => {
    for (const alg of ['HS256', 'HS384', 'HS512', 'hs256', 'none', 'None', 'NONE']) {
      assert.throws(() => createVerifier({ issuer, audience, jwks, algorithms: [alg] as never }), TypeError, alg);
    }
    assert.throws(() => createVerifier({ issuer, audience, jwks, algorithms: [] }), TypeError);
    assert.throws(() => createVerifier({ issuer, audience, jwks, algorithms: ['ES999'] as never }), TypeError);
  });

  it('fetches the JWKS over https only (http only on loopback), from jwksUri or the issuer (SEC-81)', () => {
    assert.throws(() => createVerifier({ issuer: 'http://auth.example.test', audience }), /https/);
    assert.throws(() => createVerifier({ issuer, audience, jwksUri: 'http://10.0.0.1/jwks.json' }), /https/);
    assert.throws(() => createVerifier({ issuer, audience, jwksUri: 'not a url' }), /absolute URL/);
    assert.throws(() => createVerifier({ issuer, audience, jwksUri: `${issuer}/jwks`, jwks }), /not both/);
    createVerifier({ issuer, audience }).close();
    createVerifier({ issuer: 'http://127.0.0.1:1/', audience }).close();
    createVerifier({ issuer, audience, jwksUri: 'http://localhost:1/jwks' }).close();
  });

  it('checks revoke entries', () => {
    const verifier = createVerifier({ issuer, audience, jwks });
    assert.throws(() => verifier.revoke({ expiresAtMs: fixedNowMs }), /sid, jti or both/);
    assert.throws(() => verifier.revoke({ sid: '', expiresAtMs: fixedNowMs }), /sid/);
    assert.throws(() => verifier.revoke({ jti: 'a', expiresAtMs: Number.NaN }), /expiresAtMs/);
  });
});

describe('createVerifier: close', () => {
  it('refuses every later verify with verifier_unavailable (503)', async () => {
    const verifier = makeVerifier([keys.ES256]);
    const token = await mintAccessToken(keys.ES256);
    await verifier.verify(token);
    verifier.close();
    const error = await assertRefused(verifier.verify(token), 'verifier_unavailable');
    assert.equal(error.status, 503);
    assert.ok(error instanceof GatehouseTokenError);
  });
});
