// Gatehouse access tokens verified by the JWT libraries resource servers actually use, against
// the live JWKS of a running server: jsonwebtoken + jwks-rsa, fast-jwt + get-jwks, and jose.
// The default algorithm (ES256) must pass in all of them; the other algorithms are checked too,
// and where a library cannot verify one (Ed25519 keys in jsonwebtoken/jwks-rsa and get-jwks),
// the test pins the refusal, so the README's advice stays true.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVerifier as createFastJwtVerifier, type DecodedJwt } from 'fast-jwt';
import buildGetJwks from 'get-jwks';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { createClient } from '../../src/core/clients/create-client.ts';
import { signingAlgorithms, type SigningAlgorithm } from '../../src/core/tokens/signing-algorithms.ts';
import { testPassword } from '../support/core-deps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const audience = 'https://api.example.com';
const email = 'interop@example.com';

/** Which library verifies which algorithm. Everything not listed here must verify. */
const unsupported: Partial<Record<SigningAlgorithm, Record<string, RegExp>>> = {
  EdDSA: {
    // jwks-rsa hands over the key; jsonwebtoken knows no Ed25519 keys.
    'jsonwebtoken + jwks-rsa': /Unknown key type "ed25519"/,
    // get-jwks turns JWKs into PEM with jwk-to-pem, which has no OKP keys ("Unsupported key type OKP").
    'fast-jwt + get-jwks': /Cannot fetch key/,
  },
};

interface Verified {
  sub: string;
  sid: string;
  iss: string;
}

/** The verifications a resource server would write with each library, as their docs show them. */
const libraries: Record<string, (token: string, server: TestServer, alg: SigningAlgorithm) => Promise<Verified>> = {
  async 'jsonwebtoken + jwks-rsa'(token, server, alg) {
    const jwks = new JwksClient({ jwksUri: `${server.url}/.well-known/jwks.json` });
    const key = await jwks.getSigningKey(decodeProtectedHeader(token).kid);
    return jsonwebtoken.verify(token, key.getPublicKey(), { algorithms: [alg as jsonwebtoken.Algorithm], issuer: server.url, audience }) as Verified;
  },
  async 'fast-jwt + get-jwks'(token, server, alg) {
    const getJwks = buildGetJwks({ issuersWhitelist: [server.url], jwksPath: '/.well-known/jwks.json' });
    const verify = createFastJwtVerifier({
      key: async ({ header, payload }: DecodedJwt) => getJwks.getPublicKey({ kid: header.kid, alg: header.alg, domain: payload.iss }),
      algorithms: [alg as never],
      allowedIss: server.url,
      allowedAud: audience,
    });
    return (await verify(token)) as Verified;
  },
  async jose(token, server, alg) {
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`)), {
      algorithms: [alg],
      issuer: server.url,
      audience,
      typ: 'at+jwt',
    });
    return payload as unknown as Verified;
  },
};

for (const alg of signingAlgorithms) {
  describe(`${alg} tokens from a live server, verified by other JWT libraries${alg === 'ES256' ? ' (the default)' : ''}`, () => {
    let server: TestServer;
    let accessToken: string;
    let user: { id: string };

    before(async () => {
      // The default algorithm is not set at all: the test proves it is the default.
      server = await startTestServer({ env: alg === 'ES256' ? {} : { GATEHOUSE_TOKEN_ALGORITHM: alg } });
      await createClient(server.gatehouse.deps, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password'], audience });
      const signUp = await fetch(`${server.url}/v1/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ email, password: testPassword }),
      });
      assert.equal(signUp.status, 202);
      const response = await fetch(`${server.url}/v1/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'password', username: email, password: testPassword, client_id: 'spa' }),
      });
      const body = (await response.json()) as { access_token: string };
      assert.equal(response.status, 200, JSON.stringify(body));
      accessToken = body.access_token;
      user = (await server.gatehouse.store.users.findByEmail(email)) ?? assert.fail('no user');
    });
    after(() => server?.close());

    it(`the token is signed ${alg}`, () => {
      assert.equal(decodeProtectedHeader(accessToken).alg, alg);
      assert.equal(decodeProtectedHeader(accessToken).typ, 'at+jwt');
    });

    for (const [library, verify] of Object.entries(libraries)) {
      const refusal = unsupported[alg]?.[library];
      if (refusal === undefined) {
        it(`${library} verifies it`, async () => {
          const claims = await verify(accessToken, server, alg);
          assert.equal(claims.sub, user.id);
          assert.equal(claims.iss, server.url);
          assert.match(claims.sid, /.+/);
        });
        it(`${library} refuses it tampered`, async () => {
          const [header, payload, signature] = accessToken.split('.') as [string, string, string];
          const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: 'usr_someone_else' })).toString('base64url');
          await assert.rejects(verify(`${header}.${forged}.${signature}`, server, alg));
        });
      } else {
        it(`${library} cannot verify ${alg} (a limitation of the library, documented in the README)`, async () => {
          await assert.rejects(verify(accessToken, server, alg), (error: Error) => refusal.test(error.message));
        });
      }
    }
  });
}
