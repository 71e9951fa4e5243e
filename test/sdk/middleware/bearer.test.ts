// extractBearerToken and bearerRefusal: RFC 6750 2.1 extraction and section 3 challenges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerRefusal, extractBearerToken, GatehouseTokenError, tokenErrorCatalog, type TokenErrorCode } from '../../../packages/sdk/src/index.ts';

function refusedCode(authorization: Parameters<typeof extractBearerToken>[0]): TokenErrorCode {
  try {
    extractBearerToken(authorization);
  } catch (error) {
    assert.ok(error instanceof GatehouseTokenError);
    return error.code;
  }
  assert.fail(`accepted ${JSON.stringify(authorization)}`);
}

describe('extractBearerToken', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln';

  it('takes exactly one b64token after "Bearer" and 1*SP, the scheme in any case', () => {
    assert.equal(extractBearerToken(`Bearer ${jwt}`), jwt);
    assert.equal(extractBearerToken(`bearer ${jwt}`), jwt);
    assert.equal(extractBearerToken(`BEARER ${jwt}`), jwt);
    assert.equal(extractBearerToken(`Bearer   ${jwt}`), jwt);
    assert.equal(extractBearerToken(` Bearer ${jwt}\t`), jwt, 'surrounding OWS is not part of the value');
    assert.equal(extractBearerToken('Bearer mF_9.B5f-4.1JqM'), 'mF_9.B5f-4.1JqM', 'the RFC 6750 example');
    assert.equal(extractBearerToken('Bearer a+b/c~d=='), 'a+b/c~d==', 'the whole b64token charset, trailing "="');
    assert.equal(extractBearerToken([`Bearer ${jwt}`]), jwt, 'a list of one');
  });

  it('no header, an empty one, or another scheme: token_missing (the client did not try Bearer)', () => {
    for (const value of [undefined, null, '', '   ', [], 'Basic dXNlcjpwYXNz', 'Token abc', jwt, 'DPoP abc', 'Bear abc']) {
      assert.equal(refusedCode(value), 'token_missing', JSON.stringify(value));
    }
  });

  it('a broken Bearer: token_malformed', () => {
    const malformed = [
      'Bearer',
      'Bearer ',
      'Bearer a b',
      `Bearer ${jwt} ${jwt}`,
      `Bearer ${jwt},`,
      `Bearer\t${jwt}`,
      `Bearer "${jwt}"`,
      `Bearer ${jwt}=x`,
      `Bearer =${jwt}`,
      `Bearer ${jwt}\u00a0`,
      `Bearer\u00a0${jwt}`,
      `Bearer ${jwt}\n`,
      `Bearer ${jwt}, Bearer ${jwt}`,
      `Bearer${jwt}`,
      'Bearer ä',
      'Bearer a;b',
      [`Bearer ${jwt}`, `Bearer ${jwt}`],
    ];
    for (const value of malformed) assert.equal(refusedCode(value), 'token_malformed', JSON.stringify(value));
  });

  it('takes linear time on a hostile header (no regular-expression backtracking blow-up) (SEC-84)', () => {
    const startedMs = performance.now();
    for (const value of [`Bearer ${'a'.repeat(100_000)}=!`, `Bearer ${' '.repeat(100_000)}!`, `x${' '.repeat(100_000)}x`, `Bearer ${'='.repeat(100_000)}a`]) refusedCode(value);
    assert.ok(performance.now() - startedMs < 200, `${performance.now() - startedMs} ms`);
  });
});

describe('bearerRefusal', () => {
  it('token_missing: 401 and a bare challenge, no error code (RFC 6750 3.1)', () => {
    const refusal = bearerRefusal(new GatehouseTokenError('token_missing'), { realm: 'notes' });
    assert.equal(refusal.status, 401);
    assert.deepEqual(refusal.headers, { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer realm="notes"' });
    assert.deepEqual(JSON.parse(refusal.body), { type: 'about:blank', title: tokenErrorCatalog.token_missing.title, status: 401, code: 'token_missing' });
  });

  it('every other 401 code: error="invalid_token" with its fixed title as error_description', () => {
    for (const [code, entry] of Object.entries(tokenErrorCatalog)) {
      if (code === 'token_missing' || entry.status !== 401) continue;
      const refusal = bearerRefusal(new GatehouseTokenError(code as TokenErrorCode));
      assert.equal(refusal.status, 401);
      const challenge = code.startsWith('dpop_')
        ? `DPoP realm="api", error="${entry.bearerError}", error_description="${entry.title}", algs="ES256 ES384 EdDSA Ed25519 PS256 RS256"`
        : `Bearer realm="api", error="invalid_token", error_description="${entry.title}"`;
      assert.equal(refusal.headers['www-authenticate'], challenge, code);
      // RFC 6750 3: error_description is %x20-21 / %x23-5B / %x5D-7E only.
      assert.match(entry.title, /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/, code);
      assert.equal(JSON.parse(refusal.body).code, code);
    }
  });

  it('verifier_unavailable: 503 and no challenge (the token is not at fault)', () => {
    const refusal = bearerRefusal(new GatehouseTokenError('verifier_unavailable'), { realm: 'notes' });
    assert.equal(refusal.status, 503);
    assert.equal(refusal.headers['www-authenticate'], undefined);
    assert.equal(JSON.parse(refusal.body).code, 'verifier_unavailable');
  });

  it('puts nothing from the cause (jose`s message, a kid) in the answer (SEC-84)', () => {
    const cause = new Error('kid "<script>" not found');
    const refusal = bearerRefusal(new GatehouseTokenError('token_unknown_key', { cause }));
    assert.doesNotMatch(`${refusal.headers['www-authenticate']} ${refusal.body}`, /<script>|kid "/);
  });

  it('validates options once, listing every problem: realm must fit in a quoted-string', () => {
    const error = new GatehouseTokenError('token_missing');
    for (const realm of ['', 'a"b', 'a\\b', 'line\nbreak', 'caf\u00e9', 7]) {
      assert.throws(() => bearerRefusal(error, { realm } as never), /realm must be a non-empty string of printable ASCII/, JSON.stringify(realm));
    }
    assert.throws(() => bearerRefusal(error, { realm: 'a"', realms: [] } as never), (thrown: Error) => /unknown option "realms"/.test(thrown.message) && /realm must be/.test(thrown.message));
    assert.throws(() => bearerRefusal(new Error('not ours') as never), /must be a GatehouseTokenError/);
  });
});
